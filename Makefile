# Set-up and everyday commands. `make run` starts the app with demo data; `make test` runs every test.
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test demo translations system-packages clean

$(BIN)/python:
	python3 -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

translations: $(VENV)/.runtime
	$(FLASK) translate compile

demo: $(VENV)/.runtime translations
	$(FLASK) demo

# The server and, beside it, a worker for the job queue (e-mail, reminders): the embedded default
# needs no broker, as both share the SQLite queue in instance/.
run: demo
	@$(FLASK) jobs worker & worker=$$!; trap 'kill $$worker' EXIT INT TERM; $(FLASK) run

# The browser tests drive Debian's Chromium, and the catalogue tests run msgfmt --check (gettext);
# both are installed here when missing.
system-packages:
	@command -v chromium >/dev/null && command -v msgfmt >/dev/null && command -v espeak-ng >/dev/null \
	  && command -v sox >/dev/null || { \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium gettext espeak-ng sox; }

test: $(VENV)/.dev translations system-packages
	$(BIN)/python -m pytest -n 2

clean:
	rm -rf $(VENV) instance
