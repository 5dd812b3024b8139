//! The dispatcher driven by a fake poll on a paused tokio clock: the limits, the spreading of
//! first polls, and a slow host that must not hold up the others. No socket, no real sleep.

use super::*;
use crate::model::FeedId;
use std::sync::Mutex;
use tokio::time::Instant;

/// What the fake polls saw.
#[derive(Default)]
struct Log {
    running: usize,
    most_running: usize,
    by_host: HashMap<String, usize>,
    most_by_host: HashMap<String, usize>,
    /// Feed URL and how long after the start its poll finished.
    finished: Vec<(String, Duration)>,
}

/// Feeds whose polls take as long as their host says, on the paused clock.
struct Fake {
    feeds: Vec<FeedState>,
    limits: Limits,
    took: HashMap<String, Duration>,
    log: Arc<Mutex<Log>>,
    start: Instant,
}

impl Work for Fake {
    type Outcome = FeedState;

    async fn plan(&mut self) -> Result<Plan, PlanError> {
        Ok(Plan {
            feeds: self.feeds.clone(),
            limits: self.limits,
        })
    }

    fn poll(&self, mut state: FeedState) -> impl Future<Output = FeedState> + Send + 'static {
        let host = host_of(&state.url);
        let took = self.took.get(&host).copied().unwrap_or_default();
        let (log, start) = (self.log.clone(), self.start);
        async move {
            {
                let mut l = log.lock().unwrap();
                l.running += 1;
                l.most_running = l.most_running.max(l.running);
                let n = l.by_host.entry(host.clone()).or_default();
                *n += 1;
                let n = *n;
                let most = l.most_by_host.entry(host.clone()).or_default();
                *most = (*most).max(n);
            }
            tokio::time::sleep(took).await;
            let mut l = log.lock().unwrap();
            l.running -= 1;
            *l.by_host.get_mut(&host).unwrap() -= 1;
            l.finished.push((state.url.clone(), start.elapsed()));
            state.next_poll = None;
            state
        }
    }

    fn state_after(outcome: &FeedState) -> &FeedState {
        outcome
    }

    async fn changed(&mut self) -> bool {
        std::future::pending().await
    }
}

fn feed(i: i64, url: &str) -> FeedState {
    FeedState {
        status: FeedStatus::Ok,
        ..FeedState::new(FeedId(i), url)
    }
}

fn fake(urls: &[String], concurrency: usize, per_host: usize, took: &[(&str, u64)]) -> Fake {
    Fake {
        feeds: urls
            .iter()
            .enumerate()
            .map(|(i, u)| feed(i as i64 + 1, u))
            .collect(),
        limits: Limits {
            concurrency,
            per_host,
            start_spread: Duration::from_secs(60),
        },
        took: took
            .iter()
            .map(|(h, s)| (h.to_string(), Duration::from_secs(*s)))
            .collect(),
        log: Arc::default(),
        start: Instant::now(),
    }
}

fn urls(host: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("http://{host}/feed{i}")).collect()
}

async fn poll_all(work: Fake) -> Arc<Mutex<Log>> {
    let log = work.log.clone();
    let polled = Scheduler::new(work, Arc::default())
        .poll_once(None, |_, _, _| {})
        .await
        .unwrap();
    assert_eq!(polled, log.lock().unwrap().finished.len());
    log
}

#[tokio::test(start_paused = true)]
async fn no_more_polls_run_at_once_than_the_global_limit() {
    let all: Vec<String> = (0..10).map(|i| format!("http://h{i}.test/feed")).collect();
    let took: Vec<(String, u64)> = (0..10).map(|i| (format!("h{i}.test"), 10)).collect();
    let took: Vec<(&str, u64)> = took.iter().map(|(h, s)| (h.as_str(), *s)).collect();
    let log = poll_all(fake(&all, 3, 2, &took)).await;
    let log = log.lock().unwrap();
    assert_eq!(log.finished.len(), 10);
    assert_eq!(log.most_running, 3);
    // Four rounds of ten seconds: 3 + 3 + 3 + 1.
    let last = log.finished.iter().map(|f| f.1).max().unwrap();
    assert_eq!(last.as_secs(), 40, "{:?}", log.finished);
}

#[tokio::test(start_paused = true)]
async fn no_more_polls_run_against_one_host_than_the_per_host_limit() {
    let log = poll_all(fake(&urls("one.test", 6), 10, 2, &[("one.test", 10)])).await;
    let log = log.lock().unwrap();
    assert_eq!(log.finished.len(), 6);
    assert_eq!(log.most_by_host["one.test"], 2);
    assert_eq!(log.most_running, 2);
}

#[tokio::test(start_paused = true)]
async fn a_slow_host_does_not_delay_the_others() {
    let mut all = urls("slow.test", 3);
    all.extend(urls("fast.test", 5));
    let took = [("slow.test", 100), ("fast.test", 1)];
    let log = poll_all(fake(&all, 2, 1, &took)).await;
    let log = log.lock().unwrap();
    let done = |host: &str| -> Vec<u64> {
        let mut v: Vec<u64> = log
            .finished
            .iter()
            .filter(|(u, _)| u.contains(host))
            .map(|(_, t)| t.as_secs())
            .collect();
        v.sort();
        v
    };
    // The fast host's feeds go one after another beside the slow host's first poll, which
    // holds one slot; the slow host's other feeds wait for their host, not a global slot.
    assert_eq!(done("fast.test"), [1, 2, 3, 4, 5]);
    assert_eq!(done("slow.test"), [100, 200, 300]);
}

#[tokio::test(start_paused = true)]
async fn new_feeds_are_spread_over_the_start_window_and_stored_times_kept() {
    let all: Vec<String> = (0..100).map(|i| format!("http://h{i}.test/feed")).collect();
    let mut work = fake(&all, 4, 1, &[]);
    let now = Utc::now();
    let later = now + chrono::Duration::hours(3);
    work.feeds[0].next_poll = Some(later);
    let mut s = Scheduler::new(work, Arc::default()).with_seed(7);
    s.sync_feeds(now).await.unwrap();
    assert_eq!(
        s.slots[&all[0]].next,
        Some(later),
        "a stored future poll time is kept"
    );
    let offsets: Vec<i64> = all[1..]
        .iter()
        .map(|u| (s.slots[u].next.unwrap() - now).num_milliseconds())
        .collect();
    assert!(
        offsets.iter().all(|&o| (0..=60_000).contains(&o)),
        "{offsets:?}"
    );
    // Spread, not bunched: every tenth of the window gets some of the 99 feeds.
    let mut buckets = [0; 10];
    for o in &offsets {
        buckets[((o / 6_000) as usize).min(9)] += 1;
    }
    assert!(buckets.iter().all(|&b| b > 0), "{buckets:?}");
    // Only what is due starts, within the global limit.
    assert_eq!(s.dispatch(now - chrono::Duration::seconds(1)), 0);
    assert_eq!(s.dispatch(now + chrono::Duration::seconds(61)), 4);
}
