# hudang — two commands on a fresh machine:
#   make demo   set up everything and open the reading-room desk on a demo archive
#   make test   set up everything and run the test suite (SQLite, and PostgreSQL when it answers)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
HUDANG_HOME ?= $(CURDIR)/.hudang/demo

.PHONY: demo test bootstrap zbar fonts clean bench

bootstrap: $(STAMP) zbar fonts

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip >/dev/null 2>&1 || true
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

# pyzbar needs the zbar shared library from the system. Only the scanning daemon decodes
# barcodes: without root the demo and the desk still work, and `hudang watch` says what to
# install when it starts.
zbar:
	@if ! ldconfig -p 2>/dev/null | grep -q 'libzbar\.so\.0'; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing libzbar0 (barcode decoder library) ..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libzbar0) >/dev/null \
	      || echo "warning: apt-get could not install libzbar0; the scanning daemon needs it"; \
	  else \
	    echo "note: the zbar library is missing. The demo and the desk work without it; the"; \
	    echo "      scanning daemon (hudang watch) needs it:  sudo apt-get install -y libzbar0"; \
	  fi; \
	fi

# Every PDF embeds a real Chinese TrueType font (store/pdffonts.py looks for these files;
# Droid Sans Fallback does not count: it has no digits or Latin letters).
# Like the decoder, only some faces need it: without root the demo still opens, and a PDF
# asked for without a font says what to install in one line.
fonts:
	@found=$${HUDANG_PDF_FONT:-}; \
	for f in /usr/share/fonts/truetype/wqy/wqy-microhei.ttc /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc \
	    /usr/share/fonts/truetype/arphic/uming.ttc; do [ -f "$$f" ] && found=$$f; done; \
	if [ -z "$$found" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing fonts-wqy-microhei (Chinese font embedded in every PDF) ..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei) >/dev/null \
	      || echo "warning: apt-get could not install fonts-wqy-microhei; PDFs (labels, slips, lists) need it"; \
	  else \
	    echo "note: no Chinese TrueType font for PDFs. The desk works without it; labels, slips and"; \
	    echo "      lists need it:  sudo apt-get install -y fonts-wqy-microhei   (or set HUDANG_PDF_FONT=/path/font.ttf)"; \
	  fi; \
	fi

demo: bootstrap
	HUDANG_HOME=$(HUDANG_HOME) $(VENV)/bin/hudang demo

test: bootstrap
	@if $(PY) -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('127.0.0.1',5432)))" 2>/dev/null; then \
	  export HUDANG_TEST_POSTGRES_URL=$${HUDANG_TEST_POSTGRES_URL:-$(PG_URL)}; \
	  echo "PostgreSQL answers: store tests run on SQLite and PostgreSQL"; \
	else echo "No PostgreSQL on 127.0.0.1:5432: store tests run on SQLite only"; fi; \
	$(PY) -m pytest -n 2 -q $(PYTEST_ARGS)

bench: bootstrap
	$(PY) benchmarks/store_bench.py --customers 100000

clean:
	rm -rf $(VENV) .hudang .pytest_cache
