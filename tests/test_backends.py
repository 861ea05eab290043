"""The backend objects (Local, Dask) and the old string and keyword forms they replace."""

from __future__ import annotations

import importlib
import sys
import warnings

import pytest

from asymmetry_qda.backends import Dask, Local, backend_from
from asymmetry_qda.errors import InputError


def test_the_default_is_local_in_one_process_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert backend_from(None) == Local(n_process=1)
        assert backend_from(Local(3)) == Local(3)


@pytest.mark.parametrize(("old", "made"), [
    ({"backend": "local"}, Local()),
    ({"backend": None, "n_process": 2}, Local(2)),
    ({"backend": "dask", "client": "tcp://127.0.0.1:1", "workers": 3}, Dask("tcp://127.0.0.1:1", 3)),
])
def test_the_old_forms_still_work_with_a_deprecation_warning(old, made):
    pytest.importorskip("distributed")
    backend = old.pop("backend")
    with pytest.warns(DeprecationWarning, match=rf"is deprecated .* use backend={type(made).__name__}\("):
        assert backend_from(backend, **old) == made


def test_bad_backends_are_refused():
    with pytest.raises(InputError, match="'spark' is not one of local, dask"):
        backend_from("spark")
    with pytest.raises(InputError, match="options of the dask backend"):
        backend_from(None, client="tcp://127.0.0.1:1", workers=None)
    with pytest.raises(InputError, match="n_process cannot be given beside backend=Local"):
        backend_from(Local(), n_process=2)
    with pytest.raises(InputError, match="batch_turns go with the Dask backend"):
        backend_from(Local(), batch_turns=3)
    for bad in (0, -1, 1.5, "2"):
        with pytest.raises(InputError, match="n_process"):
            Local(bad)


def test_backends_are_frozen():
    with pytest.raises(AttributeError):
        Local().n_process = 2  # type: ignore[misc]


def test_the_old_module_name_still_works_with_a_deprecation_warning():
    from asymmetry_qda import backends

    sys.modules.pop("asymmetry_qda.cluster", None)
    with pytest.warns(DeprecationWarning, match="asymmetry_qda.cluster is now asymmetry_qda.backends"):
        old = importlib.import_module("asymmetry_qda.cluster")
    assert old.dask_client is backends.dask_client and old.BACKENDS == ("local", "dask")
