# Refreshes the configuration of the "ckan" core from the image at every start
# of the solr container.
#
# Sourced (not run) by the image's run-initdb, under `set -e`, before
# precreate-core, which copies the configset into the solr_data volume on the
# first start only (an existing core is left as it is). Without this, a core
# created by an earlier image (ckan/ckan-solr as shipped, older synonyms)
# would keep its configuration; the index (data/) is not touched. Rebuild it
# after a change of the analysis: `ckan search-index rebuild`.
#
# No `exit` here: it would end the sourcing script, and Solr with it.
if [ -d /var/solr/data/ckan/conf ]; then
    cp -R /opt/solr/server/solr/configsets/ckan/conf/. /var/solr/data/ckan/conf/
    echo "[opendata-territoire] core ckan: configuration refreshed from /opt/solr/server/solr/configsets/ckan/conf"
fi
