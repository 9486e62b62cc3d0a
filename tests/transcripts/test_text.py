"""Normal forms of words, as the index and queries compute them."""

from __future__ import annotations

from hireflix_mcp.transcripts.text import normals
from tests.support import run_in_threads

SPANISH = (
    "Trabajé muchas noches atendiendo clientes exigentes y aprendí a priorizar las urgencias; "
    "organizaríamos turnos rotativos, documentábamos incidencias y respondíamos rápidamente. "
)


def test_words_stemmed_from_many_threads_at_once_come_out_as_from_one() -> None:
    # Distinct words each round, so every thread really stems (not only reads the cache).
    texts = [SPANISH.replace("noches", f"noches{n}").replace("turnos", f"turnos{n}") for n in range(400)]
    expected = [normals(text, "es") for text in texts[:1]]  # warm the import
    results: dict[int, list[list[str]]] = {}

    def work(worker: int) -> None:
        results[worker] = [normals(f"{text} {worker}x{i}", "es") for i, text in enumerate(texts)]

    run_in_threads(work, 8, timeout_s=60)
    assert expected
    for worker, got in results.items():
        assert got == [normals(f"{text} {worker}x{i}", "es") for i, text in enumerate(texts)]
