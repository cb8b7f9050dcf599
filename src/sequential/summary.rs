//! The model's table in the layout of Keras's `model.summary()`.

use super::Sequential;
use crate::Element;
use std::collections::HashMap;
use std::fmt;

impl<T: Element> Sequential<T> {
    /// A table of the layers, their output shapes and parameter counts, in
    /// the layout of Keras's `model.summary()`. Print it with `{}`.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Dense, Relu, Sequential, Sigmoid};
    ///
    /// let mut model = Sequential::<f32>::new();
    /// model.add(Dense::glorot(2, 1, Relu, 0)?)?.add(Dense::glorot(1, 1, Sigmoid, 1)?)?;
    /// let text = model.summary().to_string();
    /// assert!(text.contains("│ dense_1 (Dense)"));
    /// assert!(text.contains(" Total params: 5 (20.00 B)"));
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn summary(&self) -> Summary<'_, T> {
        Summary { model: self }
    }
}

/// A model summary in Keras's layout, made by [`Sequential::summary`].
///
/// # Example
///
/// ```
/// use neurite::{Dense, Sequential, Sigmoid};
///
/// let mut model = Sequential::<f32>::new();
/// model.add(Dense::glorot(2, 1, Sigmoid, 0)?)?;
/// println!("{}", model.summary());
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Summary<'a, T: Element> {
    model: &'a Sequential<T>,
}

/// Inner widths of the three columns, as Keras draws them.
const COLUMNS: [usize; 3] = [38, 29, 17];

impl<T: Element> fmt::Display for Summary<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Model: \"sequential\"")?;
        rule(f, ['┏', '━', '┳', '┓'])?;
        row(f, '┃', ["Layer (type)", "Output Shape", "Param #"])?;
        rule(f, ['┡', '━', '╇', '┩'])?;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, layer) in self.model.layers().enumerate() {
            if i > 0 {
                rule(f, ['├', '─', '┼', '┤'])?;
            }
            let count = seen.entry(layer.class_name()).or_insert(0);
            let base = snake_case(layer.class_name());
            let name = match *count {
                0 => base,
                n => format!("{base}_{n}"),
            };
            *count += 1;
            let shape = format!("(None, {})", layer.output_width());
            let params = thousands(layer.param_count());
            let cell = format!("{name} ({})", layer.class_name());
            if cell.chars().count() <= COLUMNS[0] - 2 {
                row(f, '│', [&cell, &shape, &params])?;
            } else {
                // Keras wraps a long cell at its space.
                row(f, '│', [&name, &shape, &params])?;
                row(f, '│', [&format!("({})", layer.class_name()), "", ""])?;
            }
        }
        rule(f, ['└', '─', '┴', '┘'])?;
        let size = std::mem::size_of::<T>();
        let counts = [
            ("Total", self.model.param_count()),
            ("Trainable", self.model.trainable_param_count()),
            ("Non-trainable", self.model.non_trainable_param_count()),
        ];
        for (label, count) in counts {
            let bytes = memory(count * size);
            writeln!(f, " {label} params: {} ({bytes})", thousands(count))?;
        }
        Ok(())
    }
}

/// A horizontal rule: left corner, fill, junction, right corner.
fn rule(f: &mut fmt::Formatter<'_>, [left, fill, junction, right]: [char; 4]) -> fmt::Result {
    let segments: Vec<String> = COLUMNS
        .iter()
        .map(|&width| fill.to_string().repeat(width))
        .collect();
    writeln!(f, "{left}{}{right}", segments.join(&junction.to_string()))
}

/// A table row: the first two cells left-aligned, the count right-aligned.
fn row(f: &mut fmt::Formatter<'_>, bar: char, [name, shape, count]: [&str; 3]) -> fmt::Result {
    let [a, b, c] = COLUMNS.map(|width| width - 2);
    writeln!(
        f,
        "{bar} {name:<a$} {bar} {shape:<b$} {bar} {count:>c$} {bar}"
    )
}

/// Keras's default layer name for a class: `BatchNormalization` →
/// `batch_normalization`.
fn snake_case(class_name: &str) -> String {
    let mut name = String::with_capacity(class_name.len() + 4);
    for (i, c) in class_name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            name.push('_');
        }
        name.extend(c.to_lowercase());
    }
    name
}

/// `1234567` as `1,234,567`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Bytes in Keras's readable form: `12.00 B`, `1.50 KB`, …
fn memory(bytes: usize) -> String {
    let mut size = bytes as f64;
    for unit in ["B", "KB", "MB", "GB", "TB"] {
        if size < 1024.0 {
            return format!("{size:.2} {unit}");
        }
        size /= 1024.0;
    }
    format!("{size:.2} PB")
}

#[cfg(test)]
mod tests {
    use super::{memory, snake_case, thousands};

    #[test]
    fn layer_names_are_keras_snake_case() {
        assert_eq!(snake_case("BatchNormalization"), "batch_normalization");
        assert_eq!(snake_case("Dense"), "dense");
    }

    #[test]
    fn thousands_groups_digits_like_keras() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(100_480), "100,480");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn memory_uses_binary_units() {
        assert_eq!(memory(12), "12.00 B");
        assert_eq!(memory(1023), "1023.00 B");
        assert_eq!(memory(1536), "1.50 KB");
        assert_eq!(memory(401_920 * 4), "1.53 MB");
    }
}
