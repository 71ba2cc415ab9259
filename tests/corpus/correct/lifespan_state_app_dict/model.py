import pickle
from pathlib import Path

MODEL_PATH = Path(__file__).resolve().parent / "models" / "churn.pkl"


def load_model(path: Path = MODEL_PATH):
    with path.open("rb") as handle:
        return pickle.load(handle)
