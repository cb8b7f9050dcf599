use super::*;

// ------------------------------------------------------------ atomic saves

fn folder(name: &str) -> std::path::PathBuf {
    let folder = temp_path(name);
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

fn entries(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn saving_over_a_file_replaces_it_whole_or_not_at_all() {
    let folder = folder("atomic");
    let path = folder.join("model.safetensors");
    let first = every_layer::<f32>();
    first.save(&path).unwrap();
    let old = std::fs::read(&path).unwrap();

    // A model that cannot be saved leaves the old file as it was.
    let mut custom = Sequential::<f32>::new();
    custom
        .add(Dense::glorot(2, 3, Softplus, 0).unwrap())
        .unwrap();
    assert!(custom.save(&path).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), old);

    // A rename that fails (the target is a folder) leaves nothing behind.
    let blocked = folder.join("blocked");
    std::fs::create_dir(&blocked).unwrap();
    std::fs::write(blocked.join("inside"), b"x").unwrap();
    let result = first.save(&blocked);
    assert!(matches!(result, Err(Error::Io { .. })), "{result:?}");
    assert_eq!(entries(&folder), ["blocked", "model.safetensors"]);

    // A folder that does not exist.
    let result = first.save(folder.join("missing/model.safetensors"));
    match result {
        Err(Error::Io { kind, path, .. }) => {
            assert_eq!(kind, std::io::ErrorKind::NotFound);
            assert!(path.ends_with("missing/model.safetensors"));
        }
        other => panic!("{other:?}"),
    }

    // A successful save replaces the file, and leaves no temporary file.
    let mut second = Sequential::<f32>::new();
    second.add(Dense::glorot(4, 2, Relu, 5).unwrap()).unwrap();
    second.save(&path).unwrap();
    second
        .save_weights(folder.join("weights.safetensors"))
        .unwrap();
    assert_eq!(
        entries(&folder),
        ["blocked", "model.safetensors", "weights.safetensors"]
    );
    assert_eq!(
        Sequential::<f32>::load(&path).unwrap().get_weights(),
        second.get_weights()
    );
    std::fs::remove_dir_all(&folder).unwrap();
}

#[test]
fn a_missing_file_is_an_io_error() {
    let path = temp_path("does-not-exist.safetensors");
    for result in [
        Sequential::<f32>::load(&path).map(|_| ()),
        Sequential::<f32>::new().load_weights(&path),
        Sequential::<f32>::new().load_npz(&path),
    ] {
        match result {
            Err(Error::Io { kind, .. }) => assert_eq!(kind, std::io::ErrorKind::NotFound),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn an_io_error_keeps_the_operating_system_error_as_its_source() {
    let path = temp_path("does-not-exist.npz");
    let error = Sequential::<f32>::new().load_npz(&path).unwrap_err();
    let source = std::error::Error::source(&error).expect("a source");
    let io_error = source
        .downcast_ref::<std::io::Error>()
        .expect("an io::Error");
    assert_eq!(io_error.kind(), std::io::ErrorKind::NotFound);
    // The error the operating system returned, not a copy of its message.
    assert!(io_error.raw_os_error().is_some());
}
