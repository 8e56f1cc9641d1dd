//! Scenarios: alternative plans over the same accounts ("give Texas a second rep"),
//! the first the baseline. A scenario is everything a manager changes: the
//! territories, the assignment and the account locks. The accounts themselves are
//! shared; the scenario on screen lives in the plan's own fields and the others wait
//! in [`Plan::scenarios`], so that switching exchanges a few vectors and copies nothing.

use super::{Plan, Region, Territory, TerritoryIdx};

/// The first scenario's name when a plan has never been named otherwise.
pub const BASELINE_NAME: &str = "As is";

/// One scenario. Hollow (its vectors empty) while it is the one on screen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scenario {
    pub name: String,
    pub territories: Vec<Territory>,
    pub regions: Vec<Region>,
    pub assignment: Vec<Option<TerritoryIdx>>,
    /// The account locks, one flag per account.
    pub locked: Vec<bool>,
}

impl Scenario {
    /// A scenario whose data is on screen.
    pub fn hollow(name: &str) -> Scenario {
        Scenario { name: name.to_owned(), ..Scenario::default() }
    }

    pub fn is_hollow(&self) -> bool {
        self.assignment.is_empty() && self.territories.is_empty()
    }
}

/// Why a scenario operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    #[error("no scenario \"{0}\" (the plan has: {1})")]
    Unknown(String, String),
    #[error("a scenario \"{0}\" exists already")]
    Taken(String),
    #[error("a scenario needs a name")]
    Unnamed,
    #[error("the last scenario cannot be deleted")]
    Last,
}

impl Plan {
    /// The scenarios' names, the baseline first.
    pub fn scenario_names(&self) -> Vec<&str> {
        self.scenarios.iter().map(|s| s.name.as_str()).collect()
    }

    /// The name of the scenario on screen.
    pub fn scenario_name(&self) -> &str {
        self.scenarios.get(self.current).map_or(BASELINE_NAME, |s| s.name.as_str())
    }

    /// The scenario called `name` (exactly, or else ignoring case).
    pub fn find_scenario(&self, name: &str) -> Result<usize, ScenarioError> {
        let name = name.trim();
        self.scenarios
            .iter()
            .position(|s| s.name == name)
            .or_else(|| self.scenarios.iter().position(|s| s.name.eq_ignore_ascii_case(name)))
            .ok_or_else(|| ScenarioError::Unknown(name.to_owned(), self.scenario_names().join(", ")))
    }

    /// Puts scenario `i` on screen: O(1), the vectors change places.
    pub fn switch_scenario(&mut self, i: usize) {
        if i == self.current || i >= self.scenarios.len() {
            return;
        }
        let cur = self.current;
        let stored = &mut self.scenarios[cur];
        std::mem::swap(&mut self.territories, &mut stored.territories);
        std::mem::swap(&mut self.regions, &mut stored.regions);
        std::mem::swap(&mut self.assignment, &mut stored.assignment);
        let mut locks = std::mem::take(&mut stored.locked);
        // The lock column goes into the scenario that leaves, the new one's comes in.
        let incoming = &mut self.scenarios[i];
        std::mem::swap(&mut locks, &mut incoming.locked);
        self.accounts.swap_locked(&mut locks);
        self.scenarios[cur].locked = locks;
        let incoming = &mut self.scenarios[i];
        std::mem::swap(&mut self.territories, &mut incoming.territories);
        std::mem::swap(&mut self.regions, &mut incoming.regions);
        std::mem::swap(&mut self.assignment, &mut incoming.assignment);
        self.current = i;
    }

    /// Adds a copy of the scenario on screen named `name`, after the others, and puts
    /// it on screen. Returns its index.
    pub fn add_scenario(&mut self, name: &str) -> Result<usize, ScenarioError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ScenarioError::Unnamed);
        }
        if self.scenarios.iter().any(|s| s.name.eq_ignore_ascii_case(name)) {
            return Err(ScenarioError::Taken(name.to_owned()));
        }
        self.scenarios.push(Scenario {
            name: name.to_owned(),
            territories: self.territories.clone(),
            regions: self.regions.clone(),
            assignment: self.assignment.clone(),
            locked: self.accounts.locked().to_vec(),
        });
        let i = self.scenarios.len() - 1;
        self.switch_scenario(i);
        Ok(i)
    }

    /// Removes scenario `i` (the one on screen gives way to the baseline, or to the
    /// next when it is the baseline). Returns it, whole.
    pub fn remove_scenario(&mut self, i: usize) -> Result<Scenario, ScenarioError> {
        if self.scenarios.len() <= 1 {
            return Err(ScenarioError::Last);
        }
        if i == self.current {
            self.switch_scenario(if i == 0 { 1 } else { 0 });
        }
        let removed = self.scenarios.remove(i);
        if self.current > i {
            self.current -= 1;
        }
        Ok(removed)
    }

    /// Puts a scenario (not hollow) back at `i` (or last, if fewer), as
    /// [`Plan::remove_scenario`] gave it. Returns where it went.
    /// A scenario whose name was taken meanwhile is renamed "NAME (2)", "NAME (3)", ….
    pub fn insert_scenario(&mut self, i: usize, mut scenario: Scenario) -> usize {
        let taken = |n: &str| self.scenarios.iter().any(|s| s.name.eq_ignore_ascii_case(n));
        if taken(&scenario.name) {
            let base = scenario.name.clone();
            scenario.name = (2..).map(|k| format!("{base} ({k})")).find(|n| !taken(n)).unwrap_or(base);
        }
        let i = i.min(self.scenarios.len());
        self.scenarios.insert(i, scenario);
        if self.current >= i {
            self.current += 1;
        }
        i
    }

    /// Renames scenario `i`.
    pub fn rename_scenario(&mut self, i: usize, name: &str) -> Result<(), ScenarioError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ScenarioError::Unnamed);
        }
        if self.scenarios.iter().enumerate().any(|(j, s)| j != i && s.name.eq_ignore_ascii_case(name)) {
            return Err(ScenarioError::Taken(name.to_owned()));
        }
        if let Some(s) = self.scenarios.get_mut(i) {
            s.name = name.to_owned();
        }
        Ok(())
    }

    /// Makes scenario `i` the baseline: it moves to the front.
    pub fn make_baseline(&mut self, i: usize) {
        if i == 0 || i >= self.scenarios.len() {
            return;
        }
        let s = self.scenarios.remove(i);
        self.scenarios.insert(0, s);
        self.current = match self.current {
            c if c == i => 0,
            c if c < i => c + 1,
            c => c,
        };
    }

    /// Scenario `i`'s region tree, wherever it lives.
    pub fn scenario_regions(&self, i: usize) -> &[Region] {
        if i == self.current { &self.regions } else { &self.scenarios[i].regions }
    }

    /// Scenario `i`'s territories, assignment and account locks, wherever they live.
    pub fn scenario_parts(&self, i: usize) -> (&[Territory], &[Option<TerritoryIdx>], &[bool]) {
        if i == self.current {
            (&self.territories, &self.assignment, self.accounts.locked())
        } else {
            let s = &self.scenarios[i];
            (&s.territories, &s.assignment, &s.locked)
        }
    }
}
