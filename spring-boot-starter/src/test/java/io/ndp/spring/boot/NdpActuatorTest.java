package io.ndp.spring.boot;

import static io.ndp.spring.boot.Apps.concat;
import static io.ndp.spring.boot.Apps.run;
import static io.ndp.spring.boot.Apps.sequential;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.ndp.api.PatternContext;
import io.ndp.core.BootPluginJars;
import io.ndp.core.Ndp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.context.annotation.Configuration;

class NdpActuatorTest {

  @Configuration(proxyBeanMethods = false)
  static class Steps {
    @NdpDelegate("ok")
    String ok(Object in) {
      return "done";
    }

    @NdpDelegate("bad")
    String bad(Object in) {
      throw new IllegalStateException("bad step");
    }

    @NdpDelegate("work")
    String work(Object in) {
      return "worked";
    }
  }

  @TempDir Path dir;

  @Test
  void health_isUpInMemory_withDetails() {
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(sequential(0, "flow", "ok"))
        .run(
            context -> {
              assertThat(context).hasBean("ndpHealthIndicator");
              Health h = context.getBean(NdpHealthIndicator.class).health();
              assertThat(h.getStatus()).isEqualTo(Status.UP);
              assertThat(h.getDetails())
                  .containsEntry("runtime", "running")
                  .containsEntry("patterns", 1)
                  .containsEntry("pluginsFailed", Map.of())
                  .containsEntry("openBreakers", List.of())
                  .containsEntry("store", Map.of("type", "memory", "available", true));
            });
  }

  @Test
  void health_isDownWhenTheJdbcDatabaseIsGone() throws Exception {
    String name = "gone-" + UUID.randomUUID();
    // The database exists while this connection (or DB_CLOSE_DELAY) keeps it; the pool may only
    // open it, never create it, so once it is shut down every new connection fails.
    Connection creator = DriverManager.getConnection("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:h2:mem:" + name + ";IFEXISTS=TRUE");
    config.setConnectionTimeout(250);
    config.setMaximumPoolSize(2);
    HikariDataSource ds = new HikariDataSource(config);
    try (ds) {
      Apps.runner()
          .withUserConfiguration(Steps.class)
          .withBean(javax.sql.DataSource.class, () -> ds)
          .withPropertyValues(
              concat(
                  sequential(0, "flow", "ok"),
                  new String[] {
                    "ndp.storage.type=jdbc",
                    "ndp.storage.sync-timeout=200ms",
                    "ndp.storage.close-timeout=0s"
                  }))
          .run(
              context -> {
                HealthIndicator health = context.getBean(NdpHealthIndicator.class);
                Ndp ndp = context.getBean(Ndp.class);
                run(ndp, "orders", "x");
                assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                assertThat(store(health.health()))
                    .containsEntry("type", "jdbc")
                    .containsEntry("available", true);

                try (Statement st = creator.createStatement()) {
                  st.execute("SHUTDOWN"); // the database is gone
                }
                await()
                    .atMost(Duration.ofSeconds(20))
                    .untilAsserted(
                        () -> {
                          try {
                            run(ndp, "orders", "x");
                          } catch (io.ndp.api.StorageException expected) {
                            // a read may fail before the outage is noted
                          }
                          assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
                        });
                assertThat(store(health.health()))
                    .containsEntry("available", false)
                    .containsKey("lastFailure")
                    .containsKey("unavailableSince");
              });
    } finally {
      creator.close();
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> store(Health h) {
    return (Map<String, Object>) h.getDetails().get("store");
  }

  @Test
  void health_reportsAFailedPlugin_andTheOthersLoad() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    BootPluginJars.failingToStart(plugins, "broken-kind", "broken");
    BootPluginJars.working(plugins, "echo-kind", "echo-type");
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(
            "ndp.plugins-dir=" + plugins,
            "ndp.patterns[0].type=echo-type",
            "ndp.patterns[0].name=echoer")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              Ndp ndp = context.getBean(Ndp.class);
              var r =
                  ndp.executor()
                      .executeBestPattern(PatternContext.builder("d", "echo").payload("p").build());
              assertThat(r.success()).as(r.message()).isTrue();
              assertThat(r.output()).isEqualTo("v1:worked");

              Health h = context.getBean(NdpHealthIndicator.class).health();
              assertThat(h.getStatus()).isEqualTo(Status.UP);
              @SuppressWarnings("unchecked")
              Map<String, Map<String, Object>> failed =
                  (Map<String, Map<String, Object>>) h.getDetails().get("pluginsFailed");
              assertThat(failed).containsOnlyKeys("broken-kind");
              assertThat(failed.get("broken-kind"))
                  .containsEntry("status", "FAILED")
                  .hasEntrySatisfying(
                      "reason", reason -> assertThat((String) reason).contains("licence expired"));
            });
  }

  @Test
  void noPluginsDir_loadsNoPlugin() {
    Apps.runner().run(context -> assertThat(context.getBean(Ndp.class).pluginReports()).isEmpty());
  }

  @Test
  void health_listsOpenBreakers() {
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(
            concat(
                sequential(0, "flaky", "bad"),
                new String[] {
                  "ndp.breaker.enabled=true",
                  "ndp.breaker.window=2",
                  "ndp.breaker.minimum-calls=2",
                  "ndp.breaker.cool-down=1h"
                }))
        .run(
            context -> {
              Ndp ndp = context.getBean(Ndp.class);
              run(ndp, "orders", "x");
              run(ndp, "orders", "x");
              run(ndp, "billing", "x");
              Health h = context.getBean(NdpHealthIndicator.class).health();
              assertThat(h.getStatus()).isEqualTo(Status.UP);
              assertThat(h.getDetails().get("openBreakers"))
                  .isEqualTo(
                      List.of(Map.of("pattern", "flaky", "domain", "orders", "state", "OPEN")));
            });
  }

  @Test
  void health_isDownOnceTheRuntimeIsClosed() {
    Apps.runner()
        .run(
            context -> {
              context.getBean(Ndp.class).close();
              Health h = context.getBean(NdpHealthIndicator.class).health();
              assertThat(h.getStatus()).isEqualTo(Status.DOWN);
              assertThat(h.getDetails()).containsEntry("runtime", "closed");
            });
  }

  @Test
  void endpoint_listsPatternsWithConfidencePerDomain_andRecentDecisionsWithoutPayloads()
      throws Exception {
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(
            concat(
                sequential(0, "a-bad", "bad"),
                sequential(1, "b-good", "ok"),
                new String[] {"ndp.selection.policy=greedy", "ndp.actuator.recent-decisions=2"}))
        .run(
            context -> {
              Ndp ndp = context.getBean(Ndp.class);
              run(ndp, "orders", "secret-payload-1");
              run(ndp, "orders", "secret-payload-2");
              run(ndp, "billing", "secret-payload-3");
              NdpEndpoint.Report report = context.getBean(NdpEndpoint.class).report();

              assertThat(report.patterns())
                  .extracting(NdpEndpoint.PatternSummary::name)
                  .containsExactlyInAnyOrder("a-bad", "b-good");
              NdpEndpoint.PatternSummary good =
                  report.patterns().stream()
                      .filter(p -> p.name().equals("b-good"))
                      .findFirst()
                      .orElseThrow();
              assertThat(good.type()).isEqualTo("sequential");
              assertThat(good.confidence()).containsOnlyKeys("billing", "orders");
              assertThat(good.confidence().get("orders").successes()).isEqualTo(2);
              assertThat(good.confidence().get("orders").level()).isIn("LOW", "MEDIUM", "HIGH");

              assertThat(report.recentDecisions()).hasSize(2); // the newest two of three
              RecentDecisions.DecisionSummary newest = report.recentDecisions().get(0);
              assertThat(newest.domain()).isEqualTo("billing");
              assertThat(newest.agentType()).isEqualTo("sequential");
              assertThat(newest.chosenPattern()).isEqualTo("b-good");
              assertThat(newest.success()).isTrue();
              assertThat(report.recentDecisions().get(1).domain()).isEqualTo("orders");
              assertThat(report.recentDecisions().get(1).attempts())
                  .extracting(RecentDecisions.AttemptSummary::pattern)
                  .containsExactly("b-good");

              String json =
                  new ObjectMapper()
                      .registerModule(new JavaTimeModule())
                      .writeValueAsString(report);
              assertThat(json).contains("\"recentDecisions\"").doesNotContain("secret-payload");
            });
  }

  @Test
  void withoutActuator_theRuntimeStaysAndNoHealthOrEndpointIsMade() {
    Apps.runner()
        .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(Ndp.class);
              assertThat(context).doesNotHaveBean(NdpHealthIndicator.class);
              assertThat(context).doesNotHaveBean(NdpEndpoint.class);
              assertThat(context).doesNotHaveBean(RecentDecisions.class);
            });
  }

  @Test
  void healthIndicator_canBeTurnedOff() {
    Apps.runner()
        .withPropertyValues("management.health.ndp.enabled=false")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(NdpHealthIndicator.class);
              assertThat(context).hasSingleBean(NdpEndpoint.class);
            });
  }
}
