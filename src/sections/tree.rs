//! Pure functions over the section tree (a newsroom has tens of sections, so the whole tree
//! is loaded and walked in memory).

use std::collections::{HashMap, HashSet};

/// `(id, parent_id)` of every section.
pub type Edges = [(i64, Option<i64>)];

/// Each section's slugs from its outermost ancestor down to itself (its `{section_path}`),
/// from `(id, parent_id, slug)` of every section.
pub fn paths(nodes: &[(i64, Option<i64>, String)]) -> HashMap<i64, Vec<String>> {
    let by_id: HashMap<i64, (Option<i64>, &str)> = nodes
        .iter()
        .map(|(id, parent, slug)| (*id, (*parent, slug.as_str())))
        .collect();
    nodes
        .iter()
        .map(|(id, _, _)| {
            let mut path = Vec::new();
            let mut at = Some(*id);
            // The length bound guards against a cycle, which writes refuse but a damaged
            // database could hold.
            while let Some(current) = at.filter(|_| path.len() <= nodes.len()) {
                let Some((parent, slug)) = by_id.get(&current) else {
                    break;
                };
                path.push((*slug).to_owned());
                at = *parent;
            }
            path.reverse();
            (*id, path)
        })
        .collect()
}

/// `root` and every section below it.
pub fn with_descendants(edges: &Edges, root: i64) -> Vec<i64> {
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    for (id, parent) in edges {
        if let Some(parent) = parent {
            children.entry(*parent).or_default().push(*id);
        }
    }
    let mut found = vec![root];
    let mut seen = HashSet::from([root]);
    let mut next = 0;
    while next < found.len() {
        for child in children.get(&found[next]).into_iter().flatten() {
            if seen.insert(*child) {
                found.push(*child);
            }
        }
        next += 1;
    }
    found
}

/// True when making `parent` the parent of `id` would close a loop (including `id` itself).
pub fn would_cycle(edges: &Edges, id: i64, parent: i64) -> bool {
    with_descendants(edges, id).contains(&parent)
}

/// Each section's count plus the counts of all its descendants.
pub fn rolled_up(edges: &Edges, direct: &HashMap<i64, i64>) -> HashMap<i64, i64> {
    edges
        .iter()
        .map(|(id, _)| {
            let total = with_descendants(edges, *id)
                .iter()
                .map(|s| direct.get(s).copied().unwrap_or(0))
                .sum();
            (*id, total)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TREE: &Edges = &[(1, None), (2, Some(1)), (3, Some(2)), (4, None)];

    #[test]
    fn descendants_cover_every_level() {
        let mut below = with_descendants(TREE, 1);
        below.sort();
        assert_eq!(below, vec![1, 2, 3]);
        assert_eq!(with_descendants(TREE, 4), vec![4]);
    }

    #[test]
    fn cycles_are_detected_at_any_depth() {
        assert!(would_cycle(TREE, 1, 3));
        assert!(would_cycle(TREE, 2, 2));
        assert!(!would_cycle(TREE, 3, 4));
        assert!(!would_cycle(TREE, 4, 1));
    }

    #[test]
    fn counts_roll_up_to_ancestors() {
        let direct = HashMap::from([(1, 1), (3, 5), (4, 2)]);
        let total = rolled_up(TREE, &direct);
        assert_eq!(total[&1], 6);
        assert_eq!(total[&2], 5);
        assert_eq!(total[&4], 2);
    }
}
