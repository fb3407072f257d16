//! What the benchmark prints: the machine, each backend's figures, and a
//! Markdown summary with a verdict per target.

use crate::{Settings, load::median, run::BackendReport, server};

/// Targets from the issue.
const LIST_P99_MS: f64 = 20.0;
const CLAIM_RATIO: f64 = 0.5;
const RSS_MIB: f64 = 150.0;

pub fn machine(settings: &Settings) {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map(|kib| format!("{:.0} GiB", kib / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown".into());
    println!(
        "machine: {cores} cores ({cpu}), {memory} memory, load average {}",
        server::load_average()
    );
    println!(
        "plan: {} leads, {} partners, deep page after {} rows, {} runs of {:.1} s per list scenario at {} connections, \
         {} claimers × {} own + {} shared leads per claim run",
        settings.plan.leads,
        settings.plan.partners,
        settings.depth,
        settings.reps,
        settings.seconds.as_secs_f64(),
        settings.list_connections,
        settings.claimers,
        settings.per_claimer,
        settings.per_claimer
    );
}

fn list_p99(report: &BackendReport) -> f64 {
    report
        .lists
        .iter()
        .map(|l| {
            median(
                &l.runs
                    .iter()
                    .map(|r| r.percentile_ms(0.99))
                    .collect::<Vec<_>>(),
            )
        })
        .fold(f64::NAN, f64::max)
}

fn claim_rates(report: &BackendReport) -> (f64, f64) {
    let http = median(
        &report
            .http_claims
            .iter()
            .map(|r| r.per_second())
            .collect::<Vec<_>>(),
    );
    let store = median(
        &report
            .store_claims
            .iter()
            .map(|r| r.per_second())
            .collect::<Vec<_>>(),
    );
    (http, store)
}

/// The peak that answers the target: the child server's when measured, else this process's.
fn peak_mib(report: &BackendReport) -> Option<(f64, &'static str)> {
    match (&report.child, report.in_process_memory) {
        (Some(child), _) if child.memory.is_some() => {
            child.memory.map(|(peak, _)| (peak, "openprm serve"))
        }
        (_, Some((peak, _))) => Some((peak, "bench process")),
        _ => None,
    }
}

pub fn backend(report: &BackendReport, settings: &Settings) {
    println!(
        "\n-- {} results (medians of {} runs) --",
        report.backend, settings.reps
    );
    let s = &report.seeded;
    println!(
        "data: {} users, {} queue memberships, leads owned {} (of which {} claimed earlier, {} claim events), in queues {}, in inboxes {}, unassigned {}",
        s.users,
        s.queue_members,
        s.by_state.owned,
        s.by_state.claimed_earlier,
        s.claim_events,
        s.by_state.in_queues,
        s.by_state.inbox,
        s.by_state.unassigned
    );
    for (view, per_page) in &report.walks {
        println!(
            "walk {view}: {:.1} ms per page of 200 (one connection)",
            per_page.as_secs_f64() * 1000.0
        );
    }
    for list in &report.lists {
        let rps = median(&list.runs.iter().map(|r| r.per_second()).collect::<Vec<_>>());
        let p50 = median(
            &list
                .runs
                .iter()
                .map(|r| r.percentile_ms(0.5))
                .collect::<Vec<_>>(),
        );
        let p99s: Vec<f64> = list.runs.iter().map(|r| r.percentile_ms(0.99)).collect();
        println!(
            "{:<26} {:>6.0} req/s  p50 {:>5.1} ms  p99 {:>5.1} ms (runs {})  | 1 conn: p50 {:.1} ms, p99 {:.1} ms",
            list.name,
            rps,
            p50,
            median(&p99s),
            p99s.iter()
                .map(|p| format!("{p:.1}"))
                .collect::<Vec<_>>()
                .join(", "),
            list.single.percentile_ms(0.5),
            list.single.percentile_ms(0.99)
        );
    }
    let (http, store) = claim_rates(report);
    println!(
        "claims: HTTP {http:.0}/s, store {store:.0}/s, ratio {:.0} %; claim events {} for {} wins",
        100.0 * http / store,
        report.claims_recorded.0,
        report.claims_recorded.1
    );
    if let Some((peak, now)) = report.in_process_memory {
        println!(
            "memory, bench process over the server phase (server + load generator): peak {peak:.0} MiB, at end {now:.0} MiB"
        );
    }
    if let Some(child) = &report.child {
        for (name, run, cpu_ms) in &child.lists {
            println!(
                "child `openprm serve`, {name:<18} {:>6.0} req/s  p50 {:>5.1} ms  p99 {:>5.1} ms  server CPU {cpu_ms:.2} ms/request (one run)",
                run.per_second(),
                run.percentile_ms(0.5),
                run.percentile_ms(0.99)
            );
        }
        println!(
            "child `openprm serve`, claims over HTTP: {:.0}/s, server CPU {:.2} ms per claim (one run)",
            child.claims.per_second(),
            child.claim_cpu_ms
        );
        if let Some((peak, now)) = child.memory {
            println!(
                "memory, child `openprm serve` after list and claim load: peak {peak:.0} MiB, at end {now:.0} MiB"
            );
        }
    }
    println!(
        "load average before {}, after {}",
        report.load_before, report.load_after
    );
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

pub fn summary(reports: &[BackendReport], settings: &Settings) {
    println!(
        "\n## Summary ({} leads, {} partners, medians of {} runs)\n",
        settings.plan.leads, settings.plan.partners, settings.reps
    );
    let header: Vec<&str> = reports.iter().map(|r| r.backend).collect();
    println!("| | {} |", header.join(" | "));
    println!("|---|{}", "---|".repeat(reports.len()));
    let row = |label: &str, cell: &dyn Fn(&BackendReport) -> String| {
        let cells: Vec<String> = reports.iter().map(cell).collect();
        println!("| {label} | {} |", cells.join(" | "));
    };
    row("seeding", &|r| {
        format!(
            "{:.0} s (+{:.0} s statistics)",
            r.seed_time.as_secs_f64(),
            r.settle_time.as_secs_f64()
        )
    });
    if let Some(first) = reports.first() {
        for (i, list) in first.lists.iter().enumerate() {
            row(&format!("list {}: req/s, p50, p99", list.name), &|r| {
                r.lists.get(i).map_or(String::new(), |l| {
                    format!(
                        "{:.0}/s, {:.1} ms, {:.1} ms",
                        median(&l.runs.iter().map(|x| x.per_second()).collect::<Vec<_>>()),
                        median(
                            &l.runs
                                .iter()
                                .map(|x| x.percentile_ms(0.5))
                                .collect::<Vec<_>>()
                        ),
                        median(
                            &l.runs
                                .iter()
                                .map(|x| x.percentile_ms(0.99))
                                .collect::<Vec<_>>()
                        )
                    )
                })
            });
        }
        for (i, list) in first.lists.iter().enumerate() {
            row(
                &format!("list {}, 1 connection: p50, p99", list.name),
                &|r| {
                    r.lists.get(i).map_or(String::new(), |l| {
                        format!(
                            "{:.1} ms, {:.1} ms",
                            l.single.percentile_ms(0.5),
                            l.single.percentile_ms(0.99)
                        )
                    })
                },
            );
        }
    }
    row("claims/s over HTTP (64 claimers)", &|r| {
        format!("{:.0}", claim_rates(r).0)
    });
    row("claims/s through the store (ceiling)", &|r| {
        format!("{:.0}", claim_rates(r).1)
    });
    row("HTTP / ceiling", &|r| {
        let (h, s) = claim_rates(r);
        format!("{:.0} %", 100.0 * h / s)
    });
    row(
        "claim outcomes, all runs: won / 409 taken / 409 limit / 404 gone / errors",
        &|r| {
            let all = r.http_claims.iter().chain(&r.store_claims);
            let (w, t, l, g, e) = all.fold((0, 0, 0, 0, 0), |acc, c| {
                (
                    acc.0 + c.won,
                    acc.1 + c.already_claimed,
                    acc.2 + c.limit_reached,
                    acc.3 + c.gone,
                    acc.4 + c.errors,
                )
            });
            format!("{w} / {t} / {l} / {g} / {e}")
        },
    );
    if let Some(first) = reports.first().and_then(|r| r.child.as_ref()) {
        for (i, (name, _, _)) in first.lists.iter().enumerate() {
            row(
                &format!("child `openprm serve`, list {name}: req/s, server CPU per request"),
                &|r| {
                    r.child
                        .as_ref()
                        .and_then(|c| c.lists.get(i))
                        .map_or(String::new(), |(_, run, cpu)| {
                            format!("{:.0}/s, {cpu:.2} ms", run.per_second())
                        })
                },
            );
        }
        row(
            "child `openprm serve`, claims: per s, server CPU per claim",
            &|r| {
                r.child.as_ref().map_or(String::new(), |c| {
                    format!("{:.0}/s, {:.2} ms", c.claims.per_second(), c.claim_cpu_ms)
                })
            },
        );
    }
    row("peak RSS, child `openprm serve`", &|r| {
        r.child
            .as_ref()
            .and_then(|c| c.memory)
            .map_or("not measured".into(), |(p, _)| format!("{p:.0} MiB"))
    });
    row("peak RSS, bench process (server + load generator)", &|r| {
        r.in_process_memory
            .map_or("not measured".into(), |(p, _)| format!("{p:.0} MiB"))
    });
    row("load average before → after", &|r| {
        format!("{} → {}", r.load_before, r.load_after)
    });
    println!();
    for r in reports {
        let p99 = list_p99(r);
        let (h, s) = claim_rates(r);
        let peak = peak_mib(r);
        println!(
            "{}: list p99 ≤ {LIST_P99_MS} ms: {} (worst median p99 {p99:.1} ms); claims over HTTP ≥ {:.0} % of the ceiling: {} ({:.0} %); RSS ≤ {RSS_MIB} MiB: {}",
            r.backend,
            verdict(p99 <= LIST_P99_MS),
            CLAIM_RATIO * 100.0,
            verdict(h >= CLAIM_RATIO * s),
            100.0 * h / s,
            peak.map_or("not measured".into(), |(mib, whose)| format!(
                "{} ({mib:.0} MiB, {whose})",
                verdict(mib <= RSS_MIB)
            ))
        );
    }
}
