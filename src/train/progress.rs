//! The verbose mode of [`Sequential::fit`](crate::Sequential::fit): a
//! Keras-like progress line on standard error.

use super::{BatchLog, EpochLog};
use crate::Element;
use crate::precision::widen;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// The verbose mode's output on standard error.
pub(super) struct Progress {
    verbose: bool,
    terminal: bool,
    last_print: Option<Instant>,
}

/// At most this often, a terminal's progress line is redrawn.
const REDRAW: Duration = Duration::from_millis(100);

impl Progress {
    pub(super) fn new(verbose: bool) -> Self {
        Self {
            verbose,
            terminal: std::io::stderr().is_terminal(),
            last_print: None,
        }
    }

    pub(super) fn epoch_start(&mut self, epoch: usize, epochs: usize) {
        if self.verbose {
            eprintln!("Epoch {}/{epochs}", epoch + 1);
            self.last_print = None;
        }
    }

    pub(super) fn batch_end<T: Element>(&mut self, log: &BatchLog<T>, elapsed: Duration) {
        let due = self.last_print.is_none_or(|last| last.elapsed() >= REDRAW);
        if !(self.verbose && self.terminal && due) || log.batch + 1 == log.batches {
            return;
        }
        let metrics = metrics_text(log.loss, log.accuracy, None, None);
        let line = progress_line(log.batch + 1, log.batches, elapsed, &metrics);
        let mut stderr = std::io::stderr().lock();
        // Progress output is best effort: a closed stderr must not fail training.
        let _ = write!(stderr, "\r{line}");
        let _ = stderr.flush();
        self.last_print = Some(Instant::now());
    }

    pub(super) fn epoch_end<T: Element>(&mut self, log: &EpochLog<T>, steps: usize) {
        if !self.verbose {
            return;
        }
        let metrics = metrics_text(log.loss, log.accuracy, log.val_loss, log.val_accuracy);
        let elapsed = Duration::from_secs_f64(log.seconds);
        let line = progress_line(steps, steps, elapsed, &metrics);
        let start = if self.terminal { "\r" } else { "" };
        eprintln!("{start}{line}");
    }
}

/// `loss: 0.6909 - accuracy: 0.7500`, with the validation metrics after.
fn metrics_text<T: Element>(
    loss: T,
    accuracy: T,
    val_loss: Option<T>,
    val_accuracy: Option<T>,
) -> String {
    let mut text = format!(
        "loss: {:.4} - accuracy: {:.4}",
        widen(loss),
        widen(accuracy)
    );
    if let (Some(loss), Some(accuracy)) = (val_loss, val_accuracy) {
        let val = format!(
            " - val_loss: {:.4} - val_accuracy: {:.4}",
            widen(loss),
            widen(accuracy)
        );
        text.push_str(&val);
    }
    text
}

/// `4/4 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - <metrics>`, as Keras draws it.
fn progress_line(step: usize, steps: usize, elapsed: Duration, metrics: &str) -> String {
    const WIDTH: usize = 20;
    let done = (step * WIDTH).checked_div(steps).unwrap_or(WIDTH);
    let bar: String = "━".repeat(done) + &"─".repeat(WIDTH - done);
    let seconds = elapsed.as_secs_f64();
    let per_step = seconds / step.max(1) as f64;
    format!(
        "{step}/{steps} {bar} {:.0}s {} - {metrics}",
        seconds.floor(),
        step_time(per_step)
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_line_looks_like_keras() {
        let metrics = metrics_text(0.690_942_3_f32, 0.75, None, None);
        assert_eq!(metrics, "loss: 0.6909 - accuracy: 0.7500");
        let line = progress_line(4, 4, Duration::from_millis(8), &metrics);
        assert_eq!(
            line,
            "4/4 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.6909 - accuracy: 0.7500"
        );
        let half = progress_line(1, 2, Duration::from_micros(300), "m");
        assert_eq!(half, "1/2 ━━━━━━━━━━────────── 0s 300us/step - m");
    }

    #[test]
    fn validation_metrics_follow() {
        let text = metrics_text(1.0_f64, 0.5, Some(2.0), Some(0.25));
        assert_eq!(
            text,
            "loss: 1.0000 - accuracy: 0.5000 - val_loss: 2.0000 - val_accuracy: 0.2500"
        );
    }
}
