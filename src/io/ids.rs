//! Account ids: the one duplicate check, for CSV imports and plan files alike.

/// The hasher of ids that [`duplicate_ids`] buckets and looks them up by (fixed seeds:
/// every piece of a file must hash alike).
pub(crate) fn id_hasher() -> ahash::RandomState {
    ahash::RandomState::with_seeds(1, 2, 3, 4)
}

/// Accounts whose id an earlier account already has: (index, index of the first), in
/// index order, of `n` accounts whose ids `id` gives and whose hashes by [`id_hasher`]
/// `hashes` lists in order. The ids are looked up by their
/// hash (by [`id_hasher`], computed while parsing) and compared on a hit. The (hash, index) pairs
/// are first partitioned by the hash's top byte, in index order, so that each of the
/// 256 buckets is checked with a small map that stays in cache; the buckets are split
/// in two halves (rayon's `join`).
pub(crate) fn duplicate_ids<'a, I: Iterator<Item = u64>>(
    n: usize,
    hashes: impl Fn() -> I,
    id: impl Fn(usize) -> &'a str + Sync,
) -> Vec<(usize, usize)> {
    let mut bucket_start = [0usize; 257];
    for h in hashes() {
        bucket_start[(h >> 56) as usize + 1] += 1;
    }
    for b in 0..256 {
        bucket_start[b + 1] += bucket_start[b];
    }
    let mut next = bucket_start;
    let mut pairs = vec![(0u64, 0u32); n];
    for (i, h) in hashes().enumerate() {
        let b = (h >> 56) as usize;
        pairs[next[b]] = (h, i as u32);
        next[b] += 1;
    }
    let check = |buckets: std::ops::Range<usize>| {
        let mut first: ahash::AHashMap<u64, u32> = ahash::AHashMap::new();
        // Ids that share a hash with a different id, by text (practically never used).
        let mut collided: ahash::AHashMap<&str, usize> = ahash::AHashMap::new();
        let mut out = Vec::new();
        for b in buckets {
            first.clear();
            for &(h, i) in &pairs[bucket_start[b]..bucket_start[b + 1]] {
                let i = i as usize;
                match first.entry(h) {
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(i as u32);
                    }
                    std::collections::hash_map::Entry::Occupied(e) => {
                        let j = *e.get() as usize;
                        if id(j) == id(i) {
                            out.push((i, j));
                        } else if let Some(&k) = collided.get(id(i)) {
                            out.push((i, k));
                        } else {
                            collided.insert(id(i), i);
                        }
                    }
                }
            }
        }
        out
    };
    // A small file is checked on this thread; a large one on two.
    let (mut a, b) =
        if n < 50_000 { (check(0..128), check(128..256)) } else { rayon::join(|| check(0..128), || check(128..256)) };
    a.extend(b);
    a.sort_unstable();
    a
}
