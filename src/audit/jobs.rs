//! The jobs list of a request: its order and its statistics card.

use serde::{Deserialize, Serialize};

use crate::model::Job;

/// Jobs by start time, never-started last (job-server's `order_by("started_at")` on
/// PostgreSQL), with ties broken by creation time then identifier so the page is stable.
pub fn sort_jobs(jobs: &mut [Job]) {
    jobs.sort_by(|a, b| {
        let key = |j: &Job| {
            (
                j.started_at.is_none(),
                j.started_at,
                j.created_at.is_none(),
                j.created_at,
            )
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.identifier.cmp(&b.identifier))
    });
}

/// The "Job statistics" card (spec/job-server.md §2.1, §2.3 item 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
pub struct JobStats {
    pub total: usize,
    pub pending: usize,
    pub running: usize,
    pub succeeded: usize,
    pub failed: usize,
    /// Failed plus succeeded, legacy spellings included.
    pub completed: usize,
}

impl JobStats {
    pub fn of(jobs: &[Job]) -> JobStats {
        let count = |states: &[&str]| {
            jobs.iter()
                .filter(|j| states.contains(&j.status.as_str()))
                .count()
        };
        JobStats {
            total: jobs.len(),
            pending: count(&["pending"]),
            running: count(&["running"]),
            succeeded: count(&["succeeded", "Succeeded"]),
            failed: count(&["failed", "Failed"]),
            completed: count(&["failed", "succeeded", "Failed", "Succeeded", "0"]),
        }
    }

    /// `count × 100 / total` as Django's `floatformat` prints it: one decimal place,
    /// dropped when whole ("33.3", "50"); "0" with no jobs.
    pub fn percent(&self, count: usize) -> String {
        if self.total == 0 {
            return "0".into();
        }
        // Tenths, rounded half up as Decimal.quantize(ROUND_HALF_UP) does; integer maths
        // keeps 1/8 = 12.5% exact.
        let tenths = (count as u128 * 1000 * 2 + self.total as u128) / (self.total as u128 * 2);
        if tenths.is_multiple_of(10) {
            format!("{}", tenths / 10)
        } else {
            format!("{}.{}", tenths / 10, tenths % 10)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn job(id: &str, status: &str, started: Option<&str>, created: Option<&str>) -> Job {
        serde_json::from_value(json!({
            "identifier": id, "action": "a", "status": status, "started_at": started, "created_at": created,
        }))
        .unwrap()
    }

    #[test]
    fn never_started_jobs_go_last_and_ties_are_stable() {
        let mut jobs = vec![
            job("zzz", "pending", None, Some("2024-01-01T00:00:00Z")),
            job(
                "bbb",
                "succeeded",
                Some("2024-01-01T00:05:00Z"),
                Some("2024-01-01T00:00:00Z"),
            ),
            job(
                "aaa",
                "succeeded",
                Some("2024-01-01T00:05:00Z"),
                Some("2024-01-01T00:00:00Z"),
            ),
            job("yyy", "pending", None, Some("2023-12-31T00:00:00Z")),
            job("ccc", "failed", Some("2024-01-01T00:01:00Z"), None),
        ];
        sort_jobs(&mut jobs);
        let order: Vec<&str> = jobs.iter().map(|j| j.identifier.as_str()).collect();
        assert_eq!(order, ["ccc", "aaa", "bbb", "yyy", "zzz"]);
    }

    #[test]
    fn statistics_count_each_state_and_format_percentages() {
        let jobs = [
            job("a", "succeeded", None, None),
            job("b", "Failed", None, None),
            job("c", "pending", None, None),
        ];
        let s = JobStats::of(&jobs);
        assert_eq!(
            (
                s.total,
                s.pending,
                s.running,
                s.succeeded,
                s.failed,
                s.completed
            ),
            (3, 1, 0, 1, 1, 2)
        );
        assert_eq!(s.percent(1), "33.3");
        assert_eq!(s.percent(2), "66.7");
        assert_eq!(s.percent(3), "100");
        assert_eq!(JobStats { total: 8, ..s }.percent(1), "12.5");
        assert_eq!(JobStats::default().percent(0), "0");
    }
}
