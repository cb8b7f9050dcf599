"""Keras's side of examples/breast_cancer.rs and examples/digits.rs: the same recipes on the
same split, for 5 seeds, with TensorFlow pinned to one thread. Not run in CI.

    python -m venv venv && venv/bin/pip install tensorflow-cpu==2.21.0 keras==3.15.1
    taskset -c 0 venv/bin/python examples/keras_side.py

Prints, per data set and seed, the test loss and accuracy and the median time of an epoch
(the first left out: it traces the graph), wall-clock and the process's CPU time, then the
mean and range over the seeds.

    taskset -c 0 venv/bin/python examples/keras_side.py digits 1

runs one recipe (breast_cancer or digits) for the seeds given, to interleave with the Rust
examples' runs when timing both on the same core.

    venv/bin/python examples/keras_side.py --check target/real_data

instead loads the `.keras` files the Rust examples wrote there into Keras and prints their
test loss and accuracy on the same split, to compare with what the examples printed.
"""
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def load(name):
    """Features and labels, split as examples/data/README.md says (index % 5 == 0: test)."""
    table = np.loadtxt(os.path.join(DATA, f"{name}.csv"), delimiter=",", skiprows=1)
    test = np.arange(len(table)) % 5 == 0
    x, y = table[:, :-1].astype("float32"), table[:, -1:].astype("float32")
    return x[~test], y[~test], x[test], y[test]


def breast_cancer():
    x, y, xt, yt = load("breast_cancer")
    mean, std = x.mean(axis=0), x.std(axis=0)  # the training rows', ddof 0
    layers = [keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1, activation="sigmoid")]
    return (x - mean) / std, y, (xt - mean) / std, yt, 30, layers, "binary_crossentropy", 100


def digits():
    x, y, xt, yt = load("digits")
    layers = [keras.layers.Dense(64, activation="relu"), keras.layers.Dense(10, activation="softmax")]
    return x / 16, y, xt / 16, yt, 64, layers, "sparse_categorical_crossentropy", 50


class EpochTimes(keras.callbacks.Callback):
    """Each epoch's wall-clock and CPU time (all of the process's threads)."""

    def on_train_begin(self, logs=None):
        self.times, self.cpu_times = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.start, self.cpu_start = time.perf_counter(), time.process_time()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.start)
        self.cpu_times.append(time.process_time() - self.cpu_start)


def run(recipe, seed):
    keras.utils.set_random_seed(seed)
    x, y, xt, yt, inputs, layers, loss, epochs = recipe()
    model = keras.Sequential([keras.layers.Input((inputs,))] + layers)
    model.compile(optimizer=keras.optimizers.Adam(0.001), loss=loss, metrics=["accuracy"])
    times = EpochTimes()
    model.fit(x, y, batch_size=32, epochs=epochs, validation_data=(xt, yt), verbose=0,
              callbacks=[times])
    test_loss, test_accuracy = model.evaluate(xt, yt, verbose=0)
    return (test_loss, test_accuracy, statistics.median(times.times[1:]),
            statistics.median(times.cpu_times[1:]))


def check(folder):
    """Keras's evaluation of the models the Rust examples saved."""
    for recipe in [breast_cancer, digits]:
        _, _, xt, yt, _, _, loss, _ = recipe()
        model = keras.saving.load_model(os.path.join(folder, f"{recipe.__name__}.keras"))
        model.compile(loss=loss, metrics=["accuracy"])
        test_loss, test_accuracy = model.evaluate(xt, yt, verbose=0)
        print(f"{recipe.__name__}.keras in Keras: test loss {test_loss:.4f}, "
              f"test accuracy {test_accuracy:.4f}")


if len(sys.argv) == 3 and sys.argv[1] == "--check":
    check(sys.argv[2])
    sys.exit(0)

RECIPES = {"breast_cancer": breast_cancer, "digits": digits}
recipes = [RECIPES[sys.argv[1]]] if len(sys.argv) > 1 else list(RECIPES.values())
seeds = [int(seed) for seed in sys.argv[2:]] or list(range(1, 6))
for recipe in recipes:
    results = [run(recipe, seed) for seed in seeds]
    for seed, (loss, accuracy, epoch, cpu) in zip(seeds, results):
        print(f"{recipe.__name__} seed {seed}: test loss {loss:.4f}, "
              f"test accuracy {accuracy:.4f}; {epoch * 1e3:.1f} ms per epoch "
              f"({cpu * 1e3:.1f} ms CPU time)")
    losses, accuracies, epochs, cpus = zip(*results)
    print(f"{recipe.__name__}: accuracy {statistics.mean(accuracies):.4f} "
          f"({min(accuracies):.4f}-{max(accuracies):.4f}), loss {statistics.mean(losses):.4f}, "
          f"{statistics.mean(epochs) * 1e3:.1f} ms per epoch "
          f"({statistics.mean(cpus) * 1e3:.1f} ms CPU time)")
