import pytest
import torch

from training.tests.fake_data import make_fake_data

torch.set_num_threads(1)   # the machine's cores are shared; the tests are tiny anyway


@pytest.fixture(scope="session")
def fake_data_dir(tmp_path_factory):
    return str(make_fake_data(str(tmp_path_factory.mktemp("data"))))
