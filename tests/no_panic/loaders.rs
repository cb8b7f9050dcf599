use super::*;

// ---------------------------------------------------------------------------
// Loaders

/// A change to a valid file's bytes.
#[derive(Debug, Clone)]
pub(crate) enum Mutation {
    Flip {
        at: Index,
        byte: u8,
    },
    Truncate {
        at: Index,
    },
    Insert {
        at: Index,
        bytes: Vec<u8>,
    },
    Remove {
        at: Index,
        len: usize,
    },
    /// An 8-byte little-endian length or offset field replaced.
    Length {
        at: Index,
        value: u64,
    },
}

impl Mutation {
    pub(crate) fn apply(&self, bytes: &mut Vec<u8>) {
        if bytes.is_empty() {
            return;
        }
        let len = bytes.len();
        match self {
            Self::Flip { at, byte } => bytes[at.index(len)] ^= (*byte).max(1),
            Self::Truncate { at } => bytes.truncate(at.index(len)),
            Self::Insert { at, bytes: new } => {
                let at = at.index(len);
                bytes.splice(at..at, new.iter().copied());
            }
            Self::Remove { at, len: count } => {
                let at = at.index(len);
                bytes.drain(at..(at + count).min(len));
            }
            Self::Length { at, value } => {
                let at = at.index(len.saturating_sub(7).max(1));
                let end = (at + 8).min(len);
                bytes[at..end].copy_from_slice(&value.to_le_bytes()[..end - at]);
            }
        }
    }
}

pub(crate) fn mutation() -> impl Strategy<Value = Mutation> {
    let length = prop_oneof![
        Just(0_u64),
        Just(u64::MAX),
        Just(1 << 40),
        Just(u64::from(u32::MAX)),
        0..4096_u64
    ];
    prop_oneof![
        4 => (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
        1 => any::<Index>().prop_map(|at| Mutation::Truncate { at }),
        1 => (any::<Index>(), vec(any::<u8>(), 1..8)).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        1 => (any::<Index>(), 1..16_usize).prop_map(|(at, len)| Mutation::Remove { at, len }),
        1 => (any::<Index>(), length).prop_map(|(at, value)| Mutation::Length { at, value }),
    ]
}

/// A mutation that changes a JSON text by at most one character, so a size
/// in it grows at most tenfold (a `ModelSpec` built from it stays small).
pub(crate) fn json_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
        1 => any::<Index>().prop_map(|at| Mutation::Truncate { at }),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert { at, bytes: vec![byte] }),
        1 => any::<Index>().prop_map(|at| Mutation::Remove { at, len: 1 }),
    ]
}

/// How a `.npz` of the model's weights is written before it is mutated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NpzPlan {
    pub(crate) float64: bool,
    pub(crate) fortran_order: bool,
    pub(crate) deflate: bool,
    pub(crate) zip64: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct LoaderCase<T: neurite::Element> {
    pub(crate) stack: Vec<LayerPlan<T>>,
    pub(crate) target: Vec<LayerPlan<T>>,
    pub(crate) mutations: Vec<Mutation>,
    pub(crate) json_mutations: Vec<Mutation>,
    pub(crate) npz: NpzPlan,
    pub(crate) random: Vec<u8>,
}

pub(crate) fn loader_case<T: neurite::Element>() -> impl Strategy<Value = LoaderCase<T>> {
    let npz = (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(float64, fortran_order, deflate, zip64)| NpzPlan {
            float64,
            fortran_order,
            deflate,
            zip64,
        },
    );
    (
        stack::<T>(),
        stack::<T>(),
        vec(mutation(), 0..=3),
        vec(json_mutation(), 0..=3),
        npz,
        vec(any::<u8>(), 0..=300),
        prop::bool::weighted(0.8),
    )
        .prop_map(
            |(stack, other, mutations, json_mutations, npz, random, same_target)| LoaderCase {
                // Mostly loaded into a model of the saved one's architecture.
                target: if same_target { stack.clone() } else { other },
                stack,
                mutations,
                json_mutations,
                npz,
                random,
            },
        )
}

/// A file in the temporary folder, removed when dropped.
pub(crate) struct TempFile(PathBuf);

impl TempFile {
    pub(crate) fn with(bytes: &[u8]) -> Self {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let path = npz_writer::temp_path(&format!("no-panic-{n}"));
        std::fs::write(&path, bytes).expect("the temporary folder is writable");
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

pub(crate) fn mutated(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for mutation in mutations {
        mutation.apply(&mut bytes);
    }
    bytes
}

/// The model's weights as `np.savez` writes them (or a variant NumPy also
/// writes: float64, Fortran order, deflated, Zip64).
pub(crate) fn npz_bytes<T: neurite::Element>(weights: &[ArrayD<T>], plan: NpzPlan) -> Vec<u8> {
    let entries: Vec<(String, Vec<u8>)> = weights
        .iter()
        .enumerate()
        .map(|(i, array)| {
            let order = if plan.fortran_order {
                array.t().iter().copied().collect::<Vec<T>>()
            } else {
                array.iter().copied().collect()
            };
            let wide: Vec<f64> = order
                .iter()
                .map(|v| v.to_f64().unwrap_or(f64::NAN))
                .collect();
            let (descr, data) = if plan.float64 {
                ("<f8", npz_writer::f64_bytes(&wide))
            } else {
                let narrow: Vec<f32> = wide.iter().map(|&v| v as f32).collect();
                ("<f4", npz_writer::f32_bytes(&narrow))
            };
            let npy = npz_writer::npy(descr, plan.fortran_order, array.shape(), &data);
            (format!("arr_{i}.npy"), npy)
        })
        .collect();
    let entries: Vec<(&str, Vec<u8>)> = entries
        .iter()
        .map(|(name, npy)| (name.as_str(), npy.clone()))
        .collect();
    let options = npz_writer::ZipOptions {
        deflate: plan.deflate,
        zip64: plan.zip64,
    };
    npz_writer::zip(&entries, options)
}

pub(crate) fn check_loaders<T: neurite::Element>(
    case: &LoaderCase<T>,
) -> Result<(), TestCaseError> {
    let model = build_model(&case.stack)?;
    for bytes in [case.random.clone(), model.to_bytes().unwrap_or_default()] {
        let bytes = mutated(bytes, &case.mutations);
        runs("Sequential::from_bytes", case, || {
            Sequential::<T>::from_bytes(&bytes)
        })?;
        let file = TempFile::with(&bytes);
        runs("Sequential::load", case, || Sequential::<T>::load(&file.0))?;
        check_weight_loaders(case, &bytes)?;
    }
    let weights_file = TempFile::with(&[]);
    if model.save_weights(&weights_file.0).is_ok() {
        let bytes = std::fs::read(&weights_file.0).expect("save_weights wrote the file");
        check_weight_loaders(case, &mutated(bytes, &case.mutations))?;
    }
    let npz = npz_bytes(&model.get_weights(), case.npz);
    check_weight_loaders(case, &mutated(npz, &case.mutations))?;
    check_spec_json(&model, case)
}

/// `load_weights` and `load_npz` of `bytes` into the target model: they
/// load it or fail and leave the model as it was.
pub(crate) fn check_weight_loaders<T: neurite::Element>(
    case: &LoaderCase<T>,
    bytes: &[u8],
) -> Result<(), TestCaseError> {
    let file = TempFile::with(bytes);
    let mut target = build_model(&case.target)?;
    unchanged_on_error("Sequential::load_weights", case, &mut target, |model| {
        model.load_weights(&file.0)
    })?;
    unchanged_on_error("Sequential::load_npz", case, &mut target, |model| {
        model.load_npz(&file.0)
    })
}

/// `ModelSpec::from_json` on the model's mutated architecture, and what it
/// parses built.
pub(crate) fn check_spec_json<T: neurite::Element>(
    model: &Sequential<T>,
    case: &LoaderCase<T>,
) -> Result<(), TestCaseError> {
    let Ok(spec) = model.spec() else {
        return Ok(());
    };
    let json = mutated(spec.to_json().into_bytes(), &case.json_mutations);
    let json = String::from_utf8_lossy(&json);
    let parsed = guard("ModelSpec::from_json", case, || ModelSpec::from_json(&json))?;
    if let Ok(spec) = parsed {
        runs("ModelSpec::validate", case, || spec.validate())?;
        runs("ModelSpec::build", case, || spec.build::<T>(7))?;
    }
    Ok(())
}
