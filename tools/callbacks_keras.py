"""Keras 3's EarlyStopping and ReduceLROnPlateau on scripted monitor values.

Writes tests/fixtures/callbacks_keras3.json: for each case, the values the monitor shows
epoch by epoch, the settings, and what Keras did (the epoch it stopped after, the epoch whose
weights it restored, the learning rate logged and set each epoch). Run with the venv of
examples/keras_side.py (tensorflow-cpu 2.21.0, keras 3.15.1).
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import numpy as np  # noqa: E402


class FakeModel:
    """What the callbacks touch: weights (the epoch number), stop_training, an optimizer."""

    def __init__(self, lr):
        self.epoch = -1
        self.stop_training = False
        self.optimizer = keras.optimizers.SGD(learning_rate=lr)
        # What _set_monitor_op reads in "auto" mode: the compiled metrics and their direction.
        from keras.src.trainers.compile_utils import MetricsList
        self.metrics = [MetricsList([keras.metrics.BinaryAccuracy(name="accuracy")])]

    def get_weights(self):
        return [self.epoch]

    def set_weights(self, weights):
        self.epoch = weights[0]


def early_stopping(values, **settings):
    model = FakeModel(0.1)
    cb = keras.callbacks.EarlyStopping(**settings)
    cb.set_model(model)
    cb.on_train_begin()
    ran = 0
    for epoch, value in enumerate(values):
        model.epoch = epoch
        cb.on_epoch_end(epoch, {settings["monitor"]: value})
        ran += 1
        if model.stop_training:
            break
    cb.on_train_end()
    return {"epochs_run": ran, "weights_of_epoch": model.epoch}


def reduce_lr(values, lr, **settings):
    model = FakeModel(lr)
    cb = keras.callbacks.ReduceLROnPlateau(**settings)
    cb.set_model(model)
    cb.on_train_begin()
    logged, after = [], []
    for epoch, value in enumerate(values):
        logs = {settings["monitor"]: value}
        cb.on_epoch_end(epoch, logs)
        logged.append(logs["learning_rate"])
        after.append(float(np.array(model.optimizer.learning_rate)))
    return {"learning_rate_logged": logged, "learning_rate_after": after}


def f32(values):
    """The values as a float32 model logs them."""
    return [float(np.float32(v)) for v in values]


LOSS = [1.0, 0.8, 0.79995, 0.81, 0.7, 0.7, 0.71, 0.72, 0.73, 0.69, 0.74, 0.75, 0.76]
ACC = [0.5, 0.6, 0.6, 0.65, 0.64, 0.66, 0.66, 0.66, 0.7, 0.7, 0.7, 0.7]
NAN = [1.0, float("nan"), 0.9, float("nan"), float("nan"), float("nan")]

stopping = []
for values, monitor in [(f32(LOSS), "val_loss"), (f32(ACC), "val_accuracy"), (NAN, "loss")]:
    for patience in [0, 1, 2, 3]:
        for min_delta in [0.0, 0.01]:
            for restore in [False, True]:
                settings = dict(monitor=monitor, patience=patience, min_delta=min_delta,
                                restore_best_weights=restore)
                stopping.append({"values": values, "settings": settings,
                                 "expected": early_stopping(values, **settings)})
    for mode in ["min", "max"]:
        settings = dict(monitor=monitor, patience=1, mode=mode)
        stopping.append({"values": values, "settings": settings,
                         "expected": early_stopping(values, **settings)})

reducing = []
for values, monitor in [(f32(LOSS), "val_loss"), (f32(ACC), "val_accuracy")]:
    for patience in [0, 1, 2]:
        for cooldown in [0, 1, 2]:
            for min_lr in [0.0, 0.004]:
                for min_delta in [1e-4, 0.02]:
                    settings = dict(monitor=monitor, factor=0.5, patience=patience,
                                    cooldown=cooldown, min_lr=min_lr, min_delta=min_delta)
                    reducing.append({"values": values, "learning_rate": 0.1,
                                     "settings": settings,
                                     "expected": reduce_lr(values, 0.1, **settings)})


def encode(x):
    if isinstance(x, float) and x != x:
        return "nan"
    if isinstance(x, list):
        return [encode(v) for v in x]
    if isinstance(x, dict):
        return {k: encode(v) for k, v in x.items()}
    return x


out = {
    "description": "Keras's EarlyStopping and ReduceLROnPlateau on scripted monitor values "
                   "(tools/callbacks_keras.py), as a float32 model logs them; the learning rate lives in a float32 variable.",
    "keras_version": keras.__version__,
    "early_stopping": encode(stopping),
    "reduce_lr_on_plateau": encode(reducing),
}
path = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "callbacks_keras3.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print(len(stopping), len(reducing))
