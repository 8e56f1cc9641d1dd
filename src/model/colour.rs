//! Territory colours: the palette, and a new colour as far as possible from those in use.

use super::*;

/// An sRGB colour, without alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rgb(pub [u8; 3]);

impl Rgb {
    /// `#rrggbb`.
    pub fn to_hex(self) -> String {
        let [r, g, b] = self.0;
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// Parses `#rrggbb` (the `#` is optional).
    pub fn from_hex(s: &str) -> Option<Self> {
        let s = s.trim().trim_start_matches('#');
        if s.len() != 6 || !s.is_ascii() {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&s[i..i + 2], 16).ok();
        Some(Rgb([byte(0)?, byte(2)?, byte(4)?]))
    }
}

/// A palette that keeps 24 territories apart, on screen and projected (after Kelly's
/// colours of maximum contrast, without white and black).
pub const PALETTE: [Rgb; 24] = [
    Rgb([0x1f, 0x77, 0xb4]),
    Rgb([0xff, 0x7f, 0x0e]),
    Rgb([0x2c, 0xa0, 0x2c]),
    Rgb([0xd6, 0x27, 0x28]),
    Rgb([0x94, 0x67, 0xbd]),
    Rgb([0x8c, 0x56, 0x4b]),
    Rgb([0xe3, 0x77, 0xc2]),
    Rgb([0x17, 0xbe, 0xcf]),
    Rgb([0xbc, 0xbd, 0x22]),
    Rgb([0x00, 0x2e, 0x8f]),
    Rgb([0xf3, 0xc3, 0x00]),
    Rgb([0x00, 0x88, 0x56]),
    Rgb([0xbe, 0x00, 0x32]),
    Rgb([0x87, 0x56, 0x92]),
    Rgb([0xf9, 0x93, 0x79]),
    Rgb([0x60, 0x4e, 0x97]),
    Rgb([0x8d, 0xb6, 0x00]),
    Rgb([0x88, 0x2d, 0x17]),
    Rgb([0xa1, 0xca, 0xf1]),
    Rgb([0x65, 0x45, 0x22]),
    Rgb([0xe2, 0x58, 0x22]),
    Rgb([0x2b, 0x3d, 0x26]),
    Rgb([0xc2, 0xb2, 0x80]),
    Rgb([0x00, 0x67, 0xa5]),
];

/// The palette colour for the n-th territory.
pub fn palette_color(n: usize) -> Rgb {
    PALETTE[n % PALETTE.len()]
}

/// The palette colour farthest from all of `used` (the first of equals): what a new
/// territory gets, so that it does not look like one already on the map.
pub fn distinct_color(used: &[Rgb]) -> Rgb {
    let nearest = |c: Rgb| used.iter().map(|&u| color_distance(c, u)).fold(f64::INFINITY, f64::min);
    let mut best = (f64::NEG_INFINITY, PALETTE[0]);
    for &c in &PALETTE {
        let d = nearest(c);
        if d > best.0 {
            best = (d, c);
        }
    }
    best.1
}

/// How far apart two colours look: the "redmean" weighting of RGB differences, a
/// cheap stand-in for a perceptual distance.
pub fn color_distance(a: Rgb, b: Rgb) -> f64 {
    let [r1, g1, b1] = a.0.map(f64::from);
    let [r2, g2, b2] = b.0.map(f64::from);
    let rm = (r1 + r2) / 2.0;
    let (dr, dg, db) = (r1 - r2, g1 - g2, b1 - b2);
    ((2.0 + rm / 256.0) * dr * dr + 4.0 * dg * dg + (2.0 + (255.0 - rm) / 256.0) * db * db).sqrt()
}
