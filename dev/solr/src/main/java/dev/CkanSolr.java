package dev;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.solr.core.CoreContainer;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a standalone Apache Solr (embedded Jetty, context /solr, bound to 127.0.0.1) until the JVM
 * is told to stop (SIGTERM / SIGINT), then shuts Solr down cleanly so the index is closed properly.
 *
 * <p>Usage: {@code java -cp ... dev.CkanSolr SOLR_HOME [PORT]}; the port may also come from
 * {@code -Dsolr.port=}, default 8983. Started by dev/solr/solr.sh.
 */
public final class CkanSolr {
  private static final Logger log = LoggerFactory.getLogger(CkanSolr.class);

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: dev.CkanSolr SOLR_HOME [PORT]");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath().normalize();
    int port =
        Integer.parseInt(args.length > 1 ? args[1] : System.getProperty("solr.port", "8983"));
    if (!Files.isRegularFile(home.resolve("solr.xml"))) {
      System.err.println("no solr.xml in Solr home " + home);
      System.exit(2);
    }

    JettyConfig config =
        JettyConfig.builder()
            .setPort(port)
            .setContext("/solr")
            .withPortRetryTime(0) // a taken port is an error, not something to wait for
            .stopAtShutdown(false) // our own hook below stops Solr, then Jetty
            .waitForLoadingCoresToFinish(120_000L)
            .build();
    JettySolrRunner solr = new JettySolrRunner(home.toString(), new Properties(), config);

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("stopping Solr");
                  try {
                    solr.stop();
                    log.info("Solr stopped");
                  } catch (Exception e) {
                    log.error("error while stopping Solr", e);
                  } finally {
                    stopped.countDown();
                  }
                },
                "ckan-solr-shutdown"));

    try {
      solr.start();
    } catch (Exception e) {
      log.error("Solr failed to start on 127.0.0.1:{}: {}", port, e.toString(), e);
      System.exit(1);
    }

    CoreContainer cores = solr.getCoreContainer();
    Map<String, CoreContainer.CoreLoadFailure> failures = cores.getCoreInitFailures();
    if (!failures.isEmpty()) {
      // Solr has logged the stack traces already; end the log with a short cause chain.
      failures.forEach(
          (name, f) -> {
            StringBuilder why = new StringBuilder();
            for (Throwable t = f.exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
              why.append("\n    caused by: ").append(t);
            }
            log.error("core '{}' failed to load:{}", name, why);
          });
      System.exit(1); // runs the shutdown hook
    }
    log.info(
        "Solr {} ready at http://127.0.0.1:{}/solr (home {}, cores {}, pid {})",
        org.apache.solr.client.api.util.SolrVersion.LATEST,
        solr.getLocalPort(),
        home,
        cores.getAllCoreNames(),
        ProcessHandle.current().pid());

    stopped.await(); // until the shutdown hook has run
  }
}
