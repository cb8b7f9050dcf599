//! The verbose mode of [`Sequential::fit`](crate::Sequential::fit): on a
//! terminal, Keras's live progress bar per epoch (steps, elapsed time, ETA,
//! the running loss and metrics), redrawn in place; elsewhere (a CI log, a
//! file) one plain line per epoch. Written by hand: a bar is one formatted
//! line and `\r`, not worth a dependency (`indicatif` 0.18 adds six crates:
//! console, libc, unicode-width, portable-atomic, unit-prefix; 6 s of a
//! debug build here).

use super::metric_sums::MetricSums;
use super::{BatchLog, EpochLog, History};
use crate::Element;
use crate::precision::widen;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// The verbose mode's output on standard error.
pub(super) struct Progress {
    verbose: bool,
    terminal: bool,
    last_print: Option<Instant>,
    /// The length of the live line drawn last, to blank what a shorter
    /// line would leave behind.
    drawn: usize,
}

/// At most this often, a terminal's progress line is redrawn.
const REDRAW: Duration = Duration::from_millis(100);

impl Progress {
    pub(super) fn new(verbose: bool) -> Self {
        Self {
            verbose,
            terminal: std::io::stderr().is_terminal(),
            last_print: None,
            drawn: 0,
        }
    }

    pub(super) fn epoch_start(&mut self, epoch: usize, epochs: usize) {
        if self.verbose && self.terminal {
            eprintln!("Epoch {}/{epochs}", epoch + 1);
        }
        self.last_print = None;
        self.drawn = 0;
    }

    /// Redraws the live line (terminal only, at most every [`REDRAW`]).
    pub(super) fn batch_end<T: Element>(
        &mut self,
        log: &BatchLog<T>,
        metrics: &MetricSums<T>,
        elapsed: Duration,
    ) {
        let due = self.last_print.is_none_or(|last| last.elapsed() >= REDRAW);
        if !(self.verbose && self.terminal && due) || log.batch + 1 == log.batches {
            return;
        }
        let mut values = vec![("loss", widen(log.loss)), ("accuracy", widen(log.accuracy))];
        values.extend(metrics.running());
        let line = live_line(log.batch + 1, log.batches, elapsed, &values_text(&values));
        self.draw(&line, false);
        self.last_print = Some(Instant::now());
    }

    /// The epoch's last line, with every value `history` holds for it.
    pub(super) fn epoch_end<T: Element>(
        &mut self,
        log: &EpochLog<T>,
        history: &History<T>,
        steps: usize,
    ) {
        if !self.verbose {
            return;
        }
        let values: Vec<(&str, f64)> = history
            .series()
            .filter_map(|(name, values)| values.last().map(|&v| (name, widen(v))))
            .collect();
        let elapsed = Duration::from_secs_f64(log.seconds);
        let line = final_line(steps, elapsed, &values_text(&values));
        if self.terminal {
            self.draw(
                &format!("{steps}/{steps} {} {line}", bar(steps, steps)),
                true,
            );
        } else {
            eprintln!(
                "Epoch {}/{} - {steps}/{steps} - {line}",
                log.epoch + 1,
                log.epochs
            );
        }
    }

    /// Draws `line` over the live line, blanking what is left of a longer
    /// one; ends it with a newline when `last`.
    fn draw(&mut self, line: &str, last: bool) {
        let width = line.chars().count();
        let blank = " ".repeat(self.drawn.saturating_sub(width));
        let end = if last { "\n" } else { "" };
        let mut stderr = std::io::stderr().lock();
        // Progress output is best effort: a closed stderr must not fail training.
        let _ = write!(stderr, "\r{line}{blank}{end}");
        let _ = stderr.flush();
        self.drawn = width;
    }
}

/// `loss: 0.6909 - accuracy: 0.7500 - val_loss: …`, each value as Keras
/// prints it (4 decimals, or 4 significant digits in exponent form at or
/// below 1e-3).
fn values_text(values: &[(&str, f64)]) -> String {
    let text: Vec<String> = values
        .iter()
        .map(|&(name, value)| {
            if value.abs() > 1e-3 {
                format!("{name}: {value:.4}")
            } else {
                format!("{name}: {value:.4e}")
            }
        })
        .collect();
    text.join(" - ")
}

/// Keras's bar: `━` for the steps done, `─` for the rest, 20 wide.
fn bar(step: usize, steps: usize) -> String {
    const WIDTH: usize = 20;
    let done = (step * WIDTH)
        .checked_div(steps)
        .unwrap_or(WIDTH)
        .min(WIDTH);
    "━".repeat(done) + &"─".repeat(WIDTH - done)
}

/// `12/45 ━━━━━─────────────── 1s 25ms/step - ETA: 1s - <values>`.
fn live_line(step: usize, steps: usize, elapsed: Duration, values: &str) -> String {
    let per_step = elapsed.as_secs_f64() / step.max(1) as f64;
    let eta = per_step * steps.saturating_sub(step) as f64;
    format!(
        "{step}/{steps} {} {} - ETA: {} - {values}",
        bar(step, steps),
        timing(elapsed, step),
        duration_text(eta)
    )
}

/// `1s 25ms/step - <values>`: the epoch's time and time per step.
fn final_line(steps: usize, elapsed: Duration, values: &str) -> String {
    format!("{} - {values}", timing(elapsed, steps))
}

/// `1s 25ms/step`: whole seconds elapsed and Keras's time per step.
fn timing(elapsed: Duration, steps: usize) -> String {
    let seconds = elapsed.as_secs_f64();
    let per_step = seconds / steps.max(1) as f64;
    format!("{:.0}s {}", seconds.floor(), step_time(per_step))
}

/// Keras's per-step time: `2ms/step`, `150us/step` or `3s/step`.
fn step_time(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.0}s/step")
    } else if seconds >= 1e-3 {
        format!("{:.0}ms/step", seconds * 1e3)
    } else {
        format!("{:.0}us/step", seconds * 1e6)
    }
}

/// Keras's ETA: `7s`, `2:05` (minutes) or `1:02:05` (hours).
fn duration_text(seconds: f64) -> String {
    let whole = seconds.round() as u64;
    match whole {
        0..=60 => format!("{whole}s"),
        61..=3600 => format!("{}:{:02}", whole / 60, whole % 60),
        _ => format!(
            "{}:{:02}:{:02}",
            whole / 3600,
            whole % 3600 / 60,
            whole % 60
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_look_like_keras() {
        let values = values_text(&[("loss", 0.690_942_3), ("accuracy", 0.75)]);
        assert_eq!(values, "loss: 0.6909 - accuracy: 0.7500");
        let done = format!(
            "4/4 {} {}",
            bar(4, 4),
            final_line(4, Duration::from_millis(8), &values)
        );
        assert_eq!(
            done,
            "4/4 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.6909 - accuracy: 0.7500"
        );
        let half = live_line(1, 2, Duration::from_micros(300), "m");
        assert_eq!(half, "1/2 ━━━━━━━━━━────────── 0s 300us/step - ETA: 0s - m");
    }

    #[test]
    fn small_values_and_long_times() {
        let text = values_text(&[("learning_rate", 1e-4), ("val_loss", 2.0)]);
        assert_eq!(text, "learning_rate: 1.0000e-4 - val_loss: 2.0000");
        assert_eq!(duration_text(59.6), "60s");
        assert_eq!(duration_text(125.0), "2:05");
        assert_eq!(duration_text(3725.0), "1:02:05");
        let eta = live_line(10, 40, Duration::from_secs(10), "m");
        assert!(eta.contains("10s 1s/step - ETA: 30s"), "{eta}");
    }
}
