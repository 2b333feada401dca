"""Offline evaluation of the feed score against baselines, on generated data and CiaoDVD (docs/evaluation.md).

Modules (importing this package loads none of them):

* `evaluation.dataset`: the plain CSV format (``interactions.csv``, ``social.csv``), read and write;
* `evaluation.split`: each user's latest items held out by time;
* `evaluation.metrics`: NDCG@k, Recall@k, coverage (pure);
* `evaluation.baselines`: popularity, the write-up's static weights, item-kNN, ALS (`implicit`);
* `evaluation.protocol`: candidate sets (full or sampled catalogue), tie-breaking, scoring loops;
* `evaluation.load`: the training rows into a scratch Postgres database, as the platform writes them;
* `evaluation.graph_run`: sync, GDS jobs, feed aggregates; `graph_feed_score` / `graph_feed_candidates` adapters;
* `evaluation.harness`: `run_evaluation(data, EvalOptions(...)) -> EvaluationResult`;
* `evaluation.report`: rich tables, markdown, JSON;
* `evaluation.ciao`, `evaluation.generated`: converters to the format;
* `evaluation.cli`: the typer commands (`evaluate`, `convert ciao`, `export-generated`).
"""
