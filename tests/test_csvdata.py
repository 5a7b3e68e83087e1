"""Uploaded CSV files become a Dataset the Playground trains on; the bad-file corpus is in tests/fuzz/."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest

from core.data.csvdata import DATASET_NAME, MAX_CLASSES, TARGET_RANGE, load_csv
from core.data.datasets import DOMAIN, split_dataset
from core.engine.network import Network
from core.engine.training import Trainer


def _csv(rows, header: str | None = None, delimiter: str = ",") -> bytes:
    lines = [header] if header else []
    lines += [delimiter.join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def test_two_features_and_label_become_a_binary_dataset_named_uploaded():
    upload = load_csv(_csv([(0.5, -1, 0), (1, 1, 1), (-2, 0.25, 1), (0, 0, 0)], header="x1,x2,label"))
    ds = upload.dataset
    assert ds.name == DATASET_NAME
    assert (ds.task, ds.n_classes, ds.feature_names) == ("binary", 2, ("x1", "x2"))
    np.testing.assert_array_equal(ds.X, [[0.5, -1], [1, 1], [-2, 0.25], [0, 0]])
    assert ds.y.dtype == np.int64 and ds.y.tolist() == [0, 1, 1, 0]
    assert upload.columns == ("x1", "x2", "label")
    assert upload.notes == ()  # already inside the square, labels already 0/1: nothing was changed


def test_file_without_header_is_read_from_its_first_line():
    upload = load_csv(_csv([(0, 0, 0), (1, 1, 1), (0, 1, 2), (1, 0, 2)]))
    assert upload.columns is None
    assert upload.dataset.n_samples == 4
    assert (upload.dataset.task, upload.dataset.n_classes) == ("multiclass", 3)


def test_x_and_y_columns_become_a_one_dimensional_regression_dataset():
    upload = load_csv(_csv([(-1, 0.5), (0, 1.5), (1, 2.5), (2, 3.5), (2.5, -7)], header="x,y"))
    ds = upload.dataset
    assert (ds.task, ds.n_classes, ds.feature_names, ds.X.shape) == ("regression", 0, ("x",), (5, 1))
    assert ds.y.dtype == np.float64 and ds.y.tolist() == [0.5, 1.5, 2.5, 3.5, -7]


def test_labels_other_than_0_to_k_are_numbered_in_sorted_order_with_a_note():
    upload = load_csv(_csv([(0, 0, -1), (1, 1, 1), (0, 1, 1), (1, 0, -1)]))
    assert upload.dataset.y.tolist() == [0, 1, 1, 0]
    assert upload.class_values == (-1, 1)
    assert any("Labels -1, 1 were numbered as classes 0 to 1" in note for note in upload.notes)


def test_features_outside_the_square_are_min_max_rescaled_into_it_with_a_note():
    upload = load_csv(_csv([(0, 5, 0), (100, 6, 1), (50, 7, 0), (25, 5.5, 1)], header="age,score,label"))
    X = upload.dataset.X
    assert X[:, 0].min() == pytest.approx(TARGET_RANGE[0]) and X[:, 0].max() == pytest.approx(TARGET_RANGE[1])
    assert X[:, 1].min() == pytest.approx(TARGET_RANGE[0]) and X[:, 1].max() == pytest.approx(TARGET_RANGE[1])
    assert X[2, 0] == pytest.approx(0.0)  # the middle of [0, 100] lands in the middle of the square
    assert upload.original_ranges == ((0.0, 100.0), (5.0, 7.0))
    note = next(note for note in upload.notes if "rescaled" in note)
    assert "age from [0, 100]" in note and "score from [5, 7]" in note


def test_extreme_but_finite_values_rescale_without_overflow():
    upload = load_csv(_csv([(-1.7e308, 1e308, 0), (1.7e308, -1e308, 1), (0, 0, 0), (1, 1, 1)]))
    X = upload.dataset.X
    assert np.all(np.isfinite(X))
    assert X.min() >= DOMAIN[0] and X.max() <= DOMAIN[1]


def test_a_constant_feature_sits_in_the_middle_when_the_others_are_rescaled():
    upload = load_csv(_csv([(0, 9, 0), (10, 9, 1), (5, 9, 0), (7, 9, 1)]))
    assert upload.dataset.X[:, 1].tolist() == [0.0, 0.0, 0.0, 0.0]


def test_third_column_of_measurements_is_read_as_a_regression_target_with_a_note():
    upload = load_csv(_csv([(0, 0, 0.1), (1, 1, 2.7), (0, 1, 1.3), (1, 0, 0.9)], header="x1,x2,height"))
    assert (upload.dataset.task, upload.dataset.X.shape) == ("regression", (4, 2))
    assert any("regression target" in note and "line 2, column 3" in note for note in upload.notes)


def test_more_distinct_whole_numbers_than_max_classes_are_read_as_a_regression_target():
    rows = [(i / 10, -i / 10, i) for i in range(MAX_CLASSES + 1)]
    upload = load_csv(_csv(rows))
    assert upload.dataset.task == "regression"
    assert any(f"at most {MAX_CLASSES} classes" in note for note in upload.notes)


def test_task_regression_reads_whole_number_labels_as_targets():
    upload = load_csv(_csv([(0, 0, 0), (1, 1, 1), (0, 1, 1), (1, 0, 0)]), task="regression")
    assert upload.dataset.task == "regression" and upload.dataset.y.dtype == np.float64


def test_semicolons_tabs_quotes_whitespace_blank_lines_and_crlf_are_accepted():
    expected = [[0.5, 1.0], [-1.0, 2.0], [1.0, 0.0], [2.0, -2.0]]
    texts = [
        "x1;x2;y\r\n0.5;1;0\r\n-1;2;1\r\n1;0;1\r\n2;-2;0\r\n",
        "x1\tx2\ty\n0.5\t1\t0\n-1\t2\t1\n1\t0\t1\n2\t-2\t0\n",
        '"x1","x2","y"\n"0.5","1","0"\n\n -1 , 2 , 1 \n1,0,1\n\n2,-2,0',
    ]
    for text in texts:
        upload = load_csv(text.encode())
        np.testing.assert_array_equal(upload.dataset.X, expected)
        assert upload.dataset.y.tolist() == [0, 1, 1, 0]


def test_utf8_with_byte_order_mark_and_latin1_headers_are_decoded():
    bom = load_csv("x1,x2,y\n0,0,0\n1,1,1\n0,1,1\n1,0,0\n".encode("utf-8-sig"))
    assert (bom.encoding, bom.columns) == ("utf-8-sig", ("x1", "x2", "y"))
    latin = load_csv("température,pression,classe\n0,0,0\n1,1,1\n0,1,1\n1,0,0\n".encode("latin-1"))
    assert latin.encoding == "latin-1"
    assert latin.columns[0] == "température"
    assert any("Latin-1" in note for note in latin.notes)


def test_paths_and_file_objects_are_read_like_bytes(tmp_path):
    data = _csv([(0, 0, 0), (1, 1, 1), (0, 1, 1), (1, 0, 0)])
    path = tmp_path / "points.csv"
    path.write_bytes(data)
    for source in (path, str(path), io.BytesIO(data)):
        assert load_csv(source).dataset.y.tolist() == [0, 1, 1, 0]


def test_arrays_are_read_only_like_generated_datasets():
    ds = load_csv(_csv([(0, 0, 0), (1, 1, 1), (0, 1, 1), (1, 0, 0)])).dataset
    with pytest.raises(ValueError):
        ds.X[0, 0] = 5.0


def test_uploaded_dataset_splits_and_trains_like_a_built_in_one():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 10, (120, 2))
    y = (X[:, 0] > X[:, 1]).astype(int)
    ds = load_csv(_csv(np.column_stack([X, y]).tolist(), header="a,b,label")).dataset
    split = split_dataset(replace(ds), test_fraction=0.25, seed=0)
    net = Network.from_spec(
        2, [{"units": 4, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}], loss="bce", seed=0
    )
    trainer = Trainer(
        net,
        split.X_train,
        split.y_train,
        X_val=split.X_test,
        y_val=split.y_test,
        learning_rate=0.05,
        batch_size=16,
        total_epochs=60,
        seed=0,
    )
    for _ in trainer.run(60):
        pass
    assert trainer.history.val_metric[-1] > 0.85
