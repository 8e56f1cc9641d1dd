use super::*;
use crate::model::testing::{account, plan_of};
use crate::shapes::{Land, ShapeOptions, Shaper};

#[test]
fn text_is_escaped() {
    assert_eq!(escape(r#"Müller & Söhne <"Süd">"#), "Müller &amp; Söhne &lt;&quot;Süd&quot;&gt;");
}

/// Two territories in Kansas, west and east of about 98° W.
fn kansas() -> Plan {
    let at = [(-99.0, 38.0), (-98.6, 37.7), (-99.2, 38.3), (-97.0, 38.0), (-97.3, 37.8), (-96.8, 38.2)];
    let accounts = at.iter().enumerate().map(|(i, &(lon, lat))| account(&format!("A{i}"), "", lon, lat, 100)).collect();
    plan_of(accounts, &["west", "east"], &[Some(0), Some(0), Some(0), Some(1), Some(1), Some(1)])
}

fn pixel(png: &[u8], lon: f64, lat: f64, f: &Frame) -> [u8; 3] {
    let pixmap = resvg::tiny_skia::Pixmap::decode_png(png).expect("a PNG");
    let (x, y) = f.px(lon, lat);
    let c = pixmap.pixel(x as u32, y as u32).unwrap_or_else(|| panic!("({x}, {y}) is outside {f:?}"));
    [c.red(), c.green(), c.blue()]
}

#[test]
fn a_territory_is_filled_with_its_colour_over_the_land() {
    let plan = kansas();
    let m = Metrics::recompute(&plan);
    let positions: Vec<(f64, f64)> = plan.accounts.positions().collect();
    let land = Land::bundled().expect("land");
    let shapes = Shaper::new(&positions, Some(land), ShapeOptions::default()).shapes(&plan.assignment, 2);
    let basemap = Basemap::bundled().expect("basemap");
    let opts = MapOptions { width: 1200, title: Some("Kansas".into()), ..MapOptions::default() };
    let svg = map_svg(&plan, &m, Some(&shapes), &basemap, &opts);
    let png = svg_to_png(&svg).expect("drawn");
    let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).expect("a PNG");
    assert_eq!(pixmap.width(), 1200);
    // The frame the document was drawn with (the same function, the same inputs).
    let legend = (1200.0f64 * 0.30).max(legend::WIDTH_EMS * 12.0 + 24.0);
    let f = frame(&plan, &opts, (1200.0 - legend).round(), legend::height(2, 12.0, true));
    // A point of the west territory 20 km from its nearest account, away from names,
    // borders and state lines: its colour at 45 % over the US land, blended here.
    let blend = |c: Rgb| -> [u8; 3] {
        std::array::from_fn(|i| {
            (f64::from(US_LAND.0[i]) * (1.0 - AREA_OPACITY) + f64::from(c.0[i]) * AREA_OPACITY).round() as u8
        })
    };
    let close = |a: [u8; 3], b: [u8; 3]| a.iter().zip(&b).all(|(x, y)| x.abs_diff(*y) <= 3);
    let west = pixel(&png, -98.45, 37.55, &f);
    assert!(
        close(west, blend(plan.territories[0].color)),
        "west: {west:?}, expected {:?}",
        blend(plan.territories[0].color)
    );
    let east = pixel(&png, -97.15, 37.55, &f);
    assert!(close(east, blend(plan.territories[1].color)), "east: {east:?}");
    // Central Kansas, 60 km and more from every account: bare land.
    let bare = pixel(&png, -98.0, 38.9, &f);
    assert!(close(bare, US_LAND.0), "bare land: {bare:?}");
    // The legend's swatches, down the middle of their column (one em in from the
    // legend's edge, one em wide): the colours the areas have on the map, in order.
    let x = (1200.0 - legend).round() as u32 + 12 + 6;
    let mut seen: Vec<[u8; 3]> = Vec::new();
    for y in 0..pixmap.height() {
        let c = pixmap.pixel(x, y).expect("inside");
        let c = [c.red(), c.green(), c.blue()];
        if c != [255, 255, 255] && seen.last().is_none_or(|&l| !close(l, c)) {
            seen.push(c);
        }
    }
    let swatches: Vec<[u8; 3]> = seen.into_iter().filter(|&c| close(c, west) || close(c, east)).collect();
    assert_eq!(swatches.len(), 2, "{swatches:?}");
    assert!(close(swatches[0], west) && close(swatches[1], east), "{swatches:?} against {west:?}, {east:?}");
}

#[test]
fn names_never_overlap() {
    // Twelve territories crowded into one county: most names cannot be placed.
    let accounts = (0..12).map(|i| account(&format!("A{i}"), "", -98.0 + i as f64 * 0.001, 38.0, 100)).collect();
    let ids: Vec<String> = (0..12).map(|i| format!("t{i}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let owners: Vec<Option<u32>> = (0..12).map(Some).collect();
    let plan = plan_of(accounts, &ids, &owners);
    let m = Metrics::recompute(&plan);
    let f = frame(&plan, &MapOptions::default(), 800.0, 400.0);
    let scope: Vec<TerritoryIdx> = plan.live_territories().map(|(t, _)| t).collect();
    let placed = labels::placements(&f, &plan, &m, &scope, 14.0, None);
    assert!(!placed.is_empty() && placed.len() < 12, "{} placed", placed.len());
    let boxes: Vec<[f64; 4]> =
        placed.iter().map(|&(t, x, y)| labels::text_box(x, y, &plan.territories[t.get()].name, 14.0)).collect();
    for i in 0..boxes.len() {
        for j in i + 1..boxes.len() {
            let (a, b) = (boxes[i], boxes[j]);
            assert!(a[2] <= b[0] || b[2] <= a[0] || a[3] <= b[1] || b[3] <= a[1], "{a:?} and {b:?} overlap");
        }
    }
}

/// Every `font-size="…"` of a document.
fn font_sizes(svg: &str) -> Vec<f64> {
    svg.split("font-size=\"").skip(1).filter_map(|s| s.split('"').next()?.parse().ok()).collect()
}

#[test]
fn no_text_of_the_book_is_under_9_pt() {
    let plan = kansas();
    let m = Metrics::recompute(&plan);
    let positions: Vec<(f64, f64)> = plan.accounts.positions().collect();
    let shapes = Shaper::new(&positions, None, ShapeOptions::default()).shapes(&plan.assignment, 2);
    let basemap = Basemap::bundled().expect("basemap");
    let pages = book::pages(&plan, &m, &shapes, &basemap, "Kansas");
    assert_eq!(pages.len(), 3, "an overview and a page per territory");
    // Page text is in points; a page's map is drawn in pixels at 3 a point, so its
    // type is at least 27 px.
    for page in &pages {
        let sizes = font_sizes(page);
        assert!(sizes.iter().all(|&s| s >= book::BODY_PT), "{sizes:?}");
    }
    let opts = MapOptions { font: Some(27.0), height: Some(900.0), width: 1500, ..MapOptions::default() };
    let sizes = font_sizes(&map_svg(&plan, &m, Some(&shapes), &basemap, &opts));
    assert!(!sizes.is_empty() && sizes.iter().all(|&s| s >= 27.0), "{sizes:?}");
}

/// Boxes that would overlap move up, then down, a step, then two; one with no free
/// spot within the bounds is left out; the first is never moved.
#[test]
fn labels_are_placed_without_overlaps() {
    let b = [0.0, 40.0, 100.0, 60.0];
    let bounds = [0.0, 0.0, 200.0, 200.0];
    // The fourth: 0, −22 and +22 are taken, −44 would leave the bounds (y −4), +44 is
    // free; the fifth and sixth find nothing.
    let shifts = super::place_labels(&[b, b, b, b, b, b], &[22.0; 6], bounds);
    assert_eq!(shifts, [Some(0.0), Some(-22.0), Some(22.0), Some(44.0), None, None]);
    // Outside the bounds: left out.
    assert_eq!(super::place_labels(&[[150.0, 0.0, 250.0, 20.0]], &[22.0], bounds), [None]);
}

/// A territory of two coastal clusters, Corpus Christi and Tampa, has its accounts'
/// centre out in the Gulf of Mexico: drawn as an area, its name goes to its account
/// nearest that centre, inside the area, not into the sea; drawn as dots, at the
/// centre as before.
#[test]
fn a_name_stays_inside_its_area_when_the_centre_is_at_sea() {
    use geo::{Contains, Point};
    // Seven accounts in two clusters, and two in Kansas (the fixture the UI test of the
    // same rule opens too).
    let csv = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gulf.csv"));
    let opts = crate::io::csv_import::ImportOptions::default();
    let (plan, _) = crate::io::csv_import::import_bytes(csv.as_bytes(), "gulf.csv", &opts).expect("imports");
    assert_eq!(plan.territories[0].name, "Gulf");
    let in_gulf = |t: &Option<TerritoryIdx>| plan.territory_name(*t) == "Gulf";
    let gulf_at: Vec<(f64, f64)> =
        plan.accounts.positions().zip(&plan.assignment).filter(|(_, t)| in_gulf(t)).map(|(p, _)| p).collect();
    assert_eq!(gulf_at.len(), 7);
    let m = Metrics::recompute(&plan);
    let positions: Vec<(f64, f64)> = plan.accounts.positions().collect();
    let land = Land::bundled().expect("land");
    let shapes = Shaper::new(&positions, Some(land), ShapeOptions::default()).shapes(&plan.assignment, 2);
    let gulf = TerritoryIdx::new(0);
    // The centre, worked out here: the mean of the positions in Web Mercator.
    let n = gulf_at.len() as f64;
    let lon = gulf_at.iter().map(|p| p.0).sum::<f64>() / n;
    let y = gulf_at.iter().map(|p| (std::f64::consts::FRAC_PI_4 + p.1.to_radians() / 2.0).tan().ln()).sum::<f64>() / n;
    let lat = (2.0 * y.exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees();
    let area = &shapes.areas[0];
    assert!(!area.contains(&Point::new(lon, lat)), "the centre ({lon}, {lat}) should be at sea");
    // The account nearest the centre by great-circle distance (Tampa's cluster holds
    // four of the seven, so the centre lies well east of the middle).
    let km = |p: (f64, f64)| {
        let (p1, p2) = (lat.to_radians(), p.1.to_radians());
        let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((p.0 - lon).to_radians() / 2.0).sin().powi(2);
        2.0 * 6371.0 * h.sqrt().asin()
    };
    let nearest = gulf_at.iter().copied().min_by(|a, b| km(*a).total_cmp(&km(*b))).expect("accounts");
    let (x, y) = labels::anchors(&plan, &m, Some(&shapes))[0].expect("an anchor");
    assert_eq!((x, y), nearest);
    assert!(area.contains(&Point::new(x, y)), "({x}, {y}) is outside the area");
    let (cx, cy) = labels::anchors(&plan, &m, None)[0].expect("the centre");
    // (The metrics sum positions in whole metres: within 1e-4° of the exact mean.)
    assert!((cx - lon).abs() < 1e-4 && (cy - lat).abs() < 1e-4, "({cx}, {cy})");
    // The placed name is centred on the anchor (it is placed first: nothing to avoid).
    let f = frame(&plan, &MapOptions::default(), 1200.0, 400.0);
    let placed = labels::placements(&f, &plan, &m, &[gulf], 14.0, Some(&shapes));
    let (px, py) = f.px(x, y);
    assert_eq!(placed.len(), 1);
    assert!((placed[0].1 - px).abs() < 1e-9 && (placed[0].2 - py).abs() < 1e-9, "{placed:?} against ({px}, {py})");
}

/// The largest accounts by potential, as a full sort (largest first, ties in the order
/// of the accounts) would give them.
#[test]
fn the_largest_accounts_are_those_of_a_full_sort() {
    use crate::model::Cents;
    let mut rng = crate::rng::Rng(7);
    for len in [0usize, 1, 5, 19, 20, 21, 300] {
        let potential: Vec<Cents> = (0..400).map(|_| Cents(i64::from(rng.between(0, 12)) * 100)).collect();
        let list: Vec<u32> = (0..len as u32).map(|i| i * 400 / (len as u32).max(1)).collect();
        let mut sorted = list.clone();
        sorted.sort_by(|&a, &b| potential[b as usize].0.cmp(&potential[a as usize].0).then(a.cmp(&b)));
        sorted.truncate(20);
        assert_eq!(book::largest(list, &potential, 20), sorted, "of {len}");
    }
}

/// A book reports its pages until the bar is full; cancelled, it stops and a map
/// writes no file.
#[test]
fn a_book_reports_progress_and_a_cancelled_map_writes_nothing() {
    let plan = kansas();
    let progress = crate::io::Progress::default();
    let ready = Ready { progress: Some(&progress), ..Ready::default() };
    book_pdf(&plan, "Kansas", ready).expect("a book");
    assert_eq!(progress.fraction(), Some(1.0));
    let cancelled = crate::io::Progress::default();
    cancelled.cancel();
    let ready = Ready { progress: Some(&cancelled), ..Ready::default() };
    assert!(matches!(book_pdf(&plan, "Kansas", ready), Err(BookError::Cancelled(_))));
    let path = std::env::temp_dir().join(format!("te-cancelled-map-{}.png", std::process::id()));
    let ready = Ready { progress: Some(&cancelled), ..Ready::default() };
    let opts = MapOptions { width: MIN_WIDTH, ..MapOptions::default() };
    assert!(matches!(map_file(&plan, &opts, &path, ready), Err(RenderError::Cancelled(_))));
    assert!(!path.exists(), "no file");
}

/// The names of a page's list under `heading`, in order: the text elements after it
/// whose content is an account name of the test ("K" and two digits).
fn listed_after(page: &str, heading: &str) -> Vec<String> {
    let from = page.find(heading).unwrap_or_else(|| panic!("no {heading:?} on the page"));
    page[from..]
        .split("</text>")
        .skip(1)
        .filter_map(|t| t.rsplit('>').next())
        .take_while(|name| name.starts_with('K') || !name.starts_with("… and"))
        .filter(|name| name.len() == 3 && name.starts_with('K'))
        .map(str::to_owned)
        .take(20)
        .collect()
}

/// A territory's page lists its 20 largest accounts by potential, and the 20 largest
/// of the accounts it gains since the baseline, with a count of the rest.
#[test]
fn a_territory_page_lists_the_largest_accounts_and_gains() {
    // 30 accounts in the west, potentials a permutation of 1..=30 (× 1,000 cents).
    let potential = |i: usize| ((i * 7) % 30 + 1) as i64 * 1000;
    let accounts =
        (0..30).map(|i| account(&format!("K{i:02}"), &format!("K{i:02}"), -99.0 + 0.01 * i as f64, 38.0, potential(i)));
    let mut plan = plan_of(accounts.collect(), &["west", "east"], &[Some(0); 30]);
    plan.add_scenario("Moved").expect("a scenario");
    // The first 25 go east.
    for owner in plan.assignment.iter_mut().take(25) {
        *owner = Some(TerritoryIdx::new(1));
    }
    let m = Metrics::recompute(&plan);
    let positions: Vec<(f64, f64)> = plan.accounts.positions().collect();
    let shapes = Shaper::new(&positions, None, ShapeOptions::default()).shapes(&plan.assignment, 2);
    let basemap = Basemap::bundled().expect("basemap");
    let pages = book::pages(&plan, &m, &shapes, &basemap, "T");
    let by_potential = |mut ids: Vec<usize>| {
        ids.sort_by_key(|&i| std::cmp::Reverse(potential(i)));
        ids.into_iter().take(20).map(|i| format!("K{i:02}")).collect::<Vec<_>>()
    };
    let east = &pages[2];
    assert_eq!(listed_after(east, "Gains since the baseline (25)"), by_potential((0..25).collect()));
    assert!(east.contains("… and 5 more"), "the rest counted");
    assert_eq!(listed_after(east, "Largest accounts by potential (of 25)"), by_potential((0..25).collect()));
    let west = &pages[1];
    assert_eq!(listed_after(west, "Losses since the baseline (25)"), by_potential((0..25).collect()));
    assert_eq!(listed_after(west, "Largest accounts by potential (of 5)"), by_potential((25..30).collect()));
}
