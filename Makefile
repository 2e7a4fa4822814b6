# Convenience aliases for README's two commands.
.PHONY: run test lint bench

run:
	python3 dev.py run

test:
	python3 dev.py test $(ARGS)

lint:
	python3 dev.py setup && .venv/bin/ruff check . && .venv/bin/ruff format --check .

bench:
	python3 dev.py setup && .venv/bin/python bench/render.py && .venv/bin/python bench/e2e.py
