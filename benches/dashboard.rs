//! The real dashboard on a pseudo-terminal, with a prepared data dir
//! (`benches/prepare_store.rs`): start time, idle CPU and peak memory.
//!
//!   cargo bench --bench dashboard -- DIR [TASKS=100000] [IDLE_SECS=10]
//!
//! (`benches/start_idle.sh` and `benches/memory.sh` prepare DIR and run it.)
//!
//! * start: from spawning `tae-rescan --config DIR/config.toml --data-dir
//!   DIR/data` on a 200x50 pty to the first screen whose task list title
//!   shows the full count (`Tasks TASKS/TASKS`), as rendered by a vt100
//!   emulator fed by a reader thread that timestamps every chunk.
//!   Target: <= 300 ms for 100,000 tasks.
//! * idle: once loaded (no "loading" in the title) and settled for 1 s,
//!   utime + stime of the process (all threads, `/proc/PID/stat`) over
//!   IDLE_SECS seconds with nothing in flight and no input.
//!   Target: <= 0.05 s CPU over 10 s.
//! * memory: `VmHWM` (peak resident set) from `/proc/PID/status` after
//!   loading and idling, just before quitting with `q`.
//!   Target: <= 60 MB with 100,000 tasks and 100,000 history records.
//!
//! Without DIR (a plain `cargo bench`) it prints this usage and exits.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const COLS: u16 = 200;
const ROWS: u16 = 50;
const DEADLINE: Duration = Duration::from_secs(30);

struct Screen {
    parser: vt100::Parser,
    /// When the full count first appeared in the list title.
    shown_at: Option<Instant>,
    eof: bool,
}

/// (utime + stime) in clock ticks, from /proc/PID/stat.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    // Fields after the parenthesised command name; utime and stime are
    // fields 14 and 15 of the whole line.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/PID/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// KiB (as /proc reports) to MB of 10^6 bytes: the stricter reading of
/// the 60 MB target.
fn mb(kib: u64) -> f64 {
    kib as f64 * 1024.0 / 1e6
}

fn ticks_per_second() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse().ok())
        .unwrap_or(100)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!(
            "dashboard: usage: cargo bench --bench dashboard -- DIR [TASKS=100000] [IDLE_SECS=10] \
             (DIR from `cargo bench --bench prepare_store -- DIR`)"
        );
        return;
    };
    let n: usize = args.get(1).map_or(100_000, |s| s.parse().expect("TASKS"));
    let idle_secs: u64 = args.get(2).map_or(10, |s| s.parse().expect("IDLE_SECS"));
    let dir = dir.canonicalize().expect("DIR");
    let config = dir.join("config.toml");
    let data = dir.join("data");
    assert!(
        config.is_file(),
        "{} missing: run prepare_store first",
        config.display()
    );

    let pty = native_pty_system()
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("openpty");
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_tae-rescan"));
    cmd.args([
        "--config",
        config.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    cmd.env_clear();
    cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd.env("HOME", &home);
    cmd.env("XDG_CONFIG_HOME", home.join(".config"));
    cmd.env("XDG_DATA_HOME", home.join(".local/share"));
    cmd.env("TERM", "xterm-256color");
    cmd.cwd(&dir);

    let shared = Arc::new((
        Mutex::new(Screen {
            parser: vt100::Parser::new(ROWS.try_into().unwrap(), COLS.try_into().unwrap(), 0),
            shown_at: None,
            eof: false,
        }),
        Condvar::new(),
    ));
    let mut reader = pty.master.try_clone_reader().expect("pty reader");
    let mut writer = pty.master.take_writer().expect("pty writer");
    let title = format!("Tasks {n}/{n}");
    let started = Instant::now();
    let mut child = pty.slave.spawn_command(cmd).expect("spawn tae-rescan");
    drop(pty.slave);
    let pid = child.process_id().expect("pid");
    {
        let shared = shared.clone();
        let title = title.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            loop {
                let read = reader.read(&mut buf);
                let now = Instant::now();
                let (lock, changed) = &*shared;
                let mut s = lock.lock().unwrap();
                match read {
                    Ok(0) | Err(_) => {
                        s.eof = true;
                        changed.notify_all();
                        return;
                    }
                    Ok(k) => {
                        s.parser.process(&buf[..k]);
                        if s.shown_at.is_none() && s.parser.screen().contents().contains(&title) {
                            s.shown_at = Some(now);
                        }
                        changed.notify_all();
                    }
                }
            }
        });
    }
    let wait = |what: &str, done: &dyn Fn(&Screen) -> bool| {
        let (lock, changed) = &*shared;
        let mut s = lock.lock().unwrap();
        let deadline = Instant::now() + DEADLINE;
        while !done(&s) {
            assert!(
                !s.eof,
                "tae-rescan exited while waiting for {what}:\n{}",
                s.parser.screen().contents()
            );
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no {what} within {DEADLINE:?}:\n{}",
                s.parser.screen().contents()
            );
            s = changed.wait_timeout(s, left).unwrap().0;
        }
    };

    wait("task list with the full count", &|s| s.shown_at.is_some());
    let first_frame = {
        let s = shared.0.lock().unwrap();
        s.shown_at.unwrap() - started
    };
    wait("the end of loading", &|s| {
        let screen = s.parser.screen().contents();
        screen.contains(&title) && !screen.contains("loading")
    });
    let loaded = started.elapsed();
    std::thread::sleep(Duration::from_secs(1));
    let hz = ticks_per_second();
    let (ticks0, t0) = (cpu_ticks(pid), Instant::now());
    std::thread::sleep(Duration::from_secs(idle_secs));
    let (ticks1, idle) = (cpu_ticks(pid), t0.elapsed());
    let hwm_kb = status_kb(pid, "VmHWM:");
    let rss_kb = status_kb(pid, "VmRSS:");
    let total_cpu = cpu_ticks(pid) as f64 / hz as f64;

    writer.write_all(b"q").unwrap();
    writer.flush().unwrap();
    let quit = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if quit.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("tae-rescan did not quit within 10 s of q");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(status.success(), "tae-rescan exited with {status:?}");

    let idle_cpu = (ticks1 - ticks0) as f64 / hz as f64;
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    let ms = first_frame.as_secs_f64() * 1e3;
    println!("dashboard with {n} tasks ({}):", data.display());
    println!(
        "  start: first frame showing \"{title}\": {ms:.0} ms (target <= 300 ms: {}); loading done at {:.0} ms",
        verdict(ms <= 300.0),
        loaded.as_secs_f64() * 1e3
    );
    if idle_secs > 0 {
        println!(
            "  idle: {:.3} s CPU (utime+stime) over {:.1} s idle (target <= 0.05 s over 10 s: {})",
            idle_cpu,
            idle.as_secs_f64(),
            verdict(idle_cpu <= 0.05 * idle.as_secs_f64() / 10.0)
        );
    }
    println!(
        "  memory: peak RSS (VmHWM) {:.1} MB ({hwm_kb} KiB), RSS at the end {:.1} MB (target <= 60 MB: {}); CPU since start {:.2} s",
        mb(hwm_kb),
        mb(rss_kb),
        verdict(mb(hwm_kb) <= 60.0),
        total_cpu
    );
}
