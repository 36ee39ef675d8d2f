# The two commands (see README):
#   make demo   set everything up and serve the demo portal on http://127.0.0.1:5000
#   make test   set everything up and run the whole suite (what CI runs)
.PHONY: demo serve serve-stop serve-status cloud cloud-stop test setup services-start services-stop services-status lint format i18n lock bench

demo:
	bash dev/demo.sh

# The demo served as in production: uwsgi behind nginx, the workers under
# supervisor (dev/serve.sh; README "Serving as in production").
serve:
	bash dev/serve.sh

serve-stop:
	bash dev/serve.sh stop

serve-status:
	bash dev/serve.sh status

# The scale-out topology on this machine: SolrCloud (ZooKeeper, two Solr
# nodes, 2 shards x 2 replicas) behind nginx, two uwsgi instances, two fetch
# consumers (README "Beyond one machine").
cloud:
	SERVE_TOPOLOGY=cloud bash dev/serve.sh

cloud-stop:
	bash dev/serve.sh stop

test:
	bash dev/test.sh

setup:
	bash dev/setup.sh

services-start:
	bash dev/services.sh start

services-stop:
	bash dev/services.sh stop

services-status:
	bash dev/services.sh status

lint:
	.dev/venv/bin/ruff check . && .dev/venv/bin/ruff format --check . && .dev/venv/bin/mypy && .dev/venv/bin/lint-imports

format:
	.dev/venv/bin/ruff check --fix . && .dev/venv/bin/ruff format .

i18n:
	.dev/venv/bin/python dev/i18n.py

lock:
	bash dev/lock.sh
