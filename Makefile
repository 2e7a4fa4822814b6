# Convenience aliases for README's two commands.
.PHONY: run test lint bench messages

run:
	python3 dev.py run

test:
	python3 dev.py test $(ARGS)

lint:
	python3 dev.py setup && .venv/bin/ruff check . && .venv/bin/ruff format --check .

bench:
	python3 dev.py setup && .venv/bin/python bench/render.py && .venv/bin/python bench/e2e.py

# Refresh the French catalogues from the code (then translate the new entries) and compile them.
# The compiled .mo files are committed, so running the app needs no gettext.
MESSAGES_IGNORE = --ignore=.venv --ignore=tests --ignore=var --ignore=test-artifacts --ignore=bench --ignore=docs --ignore=staticfiles --ignore=static/vendor
messages:
	.venv/bin/python manage.py makemessages -l fr --no-location --no-obsolete $(MESSAGES_IGNORE)
	.venv/bin/python manage.py makemessages -d djangojs -l fr --no-location --no-obsolete $(MESSAGES_IGNORE)
	.venv/bin/python manage.py compilemessages -l fr
