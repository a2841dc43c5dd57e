# The two commands of the README: `make run` (ingest the bundled corpus) and `make test`.
.PHONY: run test setup lint bench

export DO_NOT_TRACK := 1

run: setup
	.venv/bin/quartiers run

test:
	bash scripts/setup.sh --browser
	.venv/bin/ruff check .
	.venv/bin/pytest

setup:
	bash scripts/setup.sh

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
