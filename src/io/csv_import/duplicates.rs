//! The duplicate-id check of an import: [`crate::io::ids`] over the parsed pieces.

use super::*;

pub(super) use crate::io::ids::id_hasher;

/// Accounts whose id an earlier account already has: (index, index of the first),
/// indices counted across the pieces, in index order.
pub(super) fn duplicates(pieces: &[Piece]) -> Vec<(usize, usize)> {
    let mut starts = Vec::with_capacity(pieces.len());
    let mut n = 0;
    for p in pieces {
        starts.push(n);
        n += p.hashes.len();
    }
    let id = |g: usize| {
        let k = starts.partition_point(|&s| s <= g) - 1;
        pieces[k].accounts.id(g - starts[k])
    };
    crate::io::ids::duplicate_ids(n, || pieces.iter().flat_map(|p| p.hashes.iter().copied()), id)
}
