//! A set of accounts as sorted ranges of indices.

use super::*;

/// A set of accounts as sorted, disjoint, non-adjacent ranges of indices: compact for
/// what a lasso selects (whole runs of spatially sorted accounts), cheap to combine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<(u32, u32)>", into = "Vec<(u32, u32)>")]
pub struct AccountSet {
    ranges: Vec<(u32, u32)>,
    len: usize,
}

/// Serialised as its ranges; read back through [`AccountSet::from_sorted_ranges`]
/// after sorting, so that any list of ranges gives a valid set.
impl From<Vec<(u32, u32)>> for AccountSet {
    fn from(mut ranges: Vec<(u32, u32)>) -> AccountSet {
        ranges.sort_unstable();
        AccountSet::from_sorted_ranges(ranges)
    }
}

impl From<AccountSet> for Vec<(u32, u32)> {
    fn from(set: AccountSet) -> Vec<(u32, u32)> {
        set.ranges
    }
}

impl AccountSet {
    /// The set of these indices (any order, duplicates allowed).
    pub fn from_indices(mut idx: Vec<u32>) -> AccountSet {
        idx.sort_unstable();
        idx.dedup();
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for i in idx {
            match ranges.last_mut() {
                Some(r) if r.1 == i => r.1 = i + 1,
                _ => ranges.push((i, i + 1)),
            }
        }
        AccountSet::from_sorted_ranges(ranges)
    }

    /// The set of sorted, disjoint half-open ranges (adjacent ones are merged).
    pub fn from_sorted_ranges(ranges: impl IntoIterator<Item = (u32, u32)>) -> AccountSet {
        let mut out: Vec<(u32, u32)> = Vec::new();
        for (s, e) in ranges {
            if s >= e {
                continue;
            }
            match out.last_mut() {
                Some(r) if r.1 >= s => r.1 = r.1.max(e),
                _ => out.push((s, e)),
            }
        }
        let len = out.iter().map(|(s, e)| (e - s) as usize).sum();
        AccountSet { ranges: out, len }
    }

    /// Every account of a plan with `n` accounts.
    pub fn all(n: usize) -> AccountSet {
        AccountSet::from_sorted_ranges([(0, n as u32)])
    }

    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The indices, in order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.ranges.iter().flat_map(|&(s, e)| s..e)
    }

    pub fn contains(&self, i: u32) -> bool {
        let k = self.ranges.partition_point(|r| r.1 <= i);
        self.ranges.get(k).is_some_and(|r| r.0 <= i)
    }

    /// Whether no index is `>= n`.
    pub fn fits(&self, n: usize) -> bool {
        self.ranges.last().is_none_or(|r| r.1 as usize <= n)
    }

    /// Union.
    pub fn union(&self, other: &AccountSet) -> AccountSet {
        let mut all: Vec<(u32, u32)> = Vec::with_capacity(self.ranges.len() + other.ranges.len());
        let (mut i, mut j) = (0, 0);
        while i < self.ranges.len() || j < other.ranges.len() {
            let take_self = j >= other.ranges.len() || (i < self.ranges.len() && self.ranges[i].0 <= other.ranges[j].0);
            if take_self {
                all.push(self.ranges[i]);
                i += 1;
            } else {
                all.push(other.ranges[j]);
                j += 1;
            }
        }
        AccountSet::from_sorted_ranges(all)
    }

    /// Difference self − other.
    pub fn difference(&self, other: &AccountSet) -> AccountSet {
        let mut out = Vec::with_capacity(self.ranges.len());
        let mut j = 0;
        for &(s, e) in &self.ranges {
            let mut cur = s;
            while j < other.ranges.len() && other.ranges[j].1 <= cur {
                j += 1;
            }
            let mut k = j;
            while cur < e && k < other.ranges.len() && other.ranges[k].0 < e {
                let (os, oe) = other.ranges[k];
                if os > cur {
                    out.push((cur, os.min(e)));
                }
                cur = cur.max(oe);
                k += 1;
            }
            if cur < e {
                out.push((cur, e));
            }
        }
        AccountSet::from_sorted_ranges(out)
    }
}

#[cfg(test)]
mod set_tests {
    use super::AccountSet;

    #[test]
    fn ranges_merge_and_combine() {
        let a = AccountSet::from_indices(vec![5, 1, 2, 3, 9, 3]);
        assert_eq!(a.ranges(), &[(1, 4), (5, 6), (9, 10)]);
        assert_eq!(a.len(), 5);
        let b = AccountSet::from_sorted_ranges([(3, 6), (8, 12)]);
        assert_eq!(a.union(&b).ranges(), &[(1, 6), (8, 12)]);
        assert_eq!(a.difference(&b).ranges(), &[(1, 3)]);
        assert_eq!(b.difference(&a).ranges(), &[(4, 5), (8, 9), (10, 12)]);
        assert!(a.contains(2) && !a.contains(4) && a.contains(9));
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![1, 2, 3, 5, 9]);
    }
}
