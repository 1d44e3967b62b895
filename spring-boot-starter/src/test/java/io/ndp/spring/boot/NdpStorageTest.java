package io.ndp.spring.boot;

import static io.ndp.spring.boot.Apps.concat;
import static io.ndp.spring.boot.Apps.messages;
import static io.ndp.spring.boot.Apps.run;
import static io.ndp.spring.boot.Apps.sequential;
import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.NdpStorage;
import io.ndp.core.Ndp;
import io.ndp.storage.jdbc.Durability;
import io.ndp.storage.jdbc.JdbcStorage;
import java.nio.file.Path;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.context.annotation.Configuration;

class NdpStorageTest {

  @Configuration(proxyBeanMethods = false)
  static class Steps {
    @NdpDelegate("ok")
    String ok(Object in) {
      return in + ">ok";
    }
  }

  @TempDir Path dir;

  @Test
  void h2_keepsDefinitionsAndConfidenceAcrossTwoContexts() {
    String[] props =
        concat(
            sequential(0, "flow", "ok"),
            new String[] {"ndp.storage.type=h2", "ndp.storage.h2-directory=" + dir});
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(props)
        .run(
            context -> {
              Ndp ndp = context.getBean(Ndp.class);
              assertThat(ndp.ownedStorage()).get().isInstanceOf(JdbcStorage.class);
              for (int i = 0; i < 5; i++) {
                assertThat(run(ndp, "orders", "x").success()).isTrue();
              }
              assertThat(ndp.registry().statistics("flow", "orders").successes()).isEqualTo(5);
            });
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(props)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              Ndp ndp = context.getBean(Ndp.class);
              assertThat(ndp.registry().statistics("flow", "orders").successes()).isEqualTo(5);
              assertThat(ndp.registry().getPattern("flow").confidenceScore("orders"))
                  .isGreaterThan(0.8);
            });
  }

  @Test
  void h2_aChangedDefinitionReplacesTheStoredOne_keepingItsConfidence() {
    String[] location = {"ndp.storage.type=h2", "ndp.storage.h2-directory=" + dir};
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(concat(sequential(0, "flow", "ok"), location))
        .run(context -> run(context.getBean(Ndp.class), "orders", "x"));
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(location)
        .withPropertyValues(
            "ndp.patterns[0].type=sequential",
            "ndp.patterns[0].name=flow",
            "ndp.patterns[0].description=changed",
            "ndp.patterns[0].parameters.steps[0]=ok")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              Ndp ndp = context.getBean(Ndp.class);
              assertThat(ndp.registry().getPattern("flow").description()).isEqualTo("changed");
              assertThat(ndp.storage().findDefinition("flow"))
                  .get()
                  .extracting(d -> d.description())
                  .isEqualTo("changed");
              assertThat(ndp.registry().statistics("flow", "orders").successes()).isEqualTo(1);
            });
  }

  @Test
  void storageSettings_reachTheJdbcStorage() {
    Apps.runner()
        .withPropertyValues(
            "ndp.storage.type=h2",
            "ndp.storage.h2-directory=" + dir,
            "ndp.storage.durability=batched",
            "ndp.storage.staleness=5s",
            "ndp.storage.buffer-limit=7",
            "ndp.storage.max-unflushed-outcomes=5")
        .run(
            context -> {
              JdbcStorage storage =
                  (JdbcStorage) context.getBean(Ndp.class).ownedStorage().orElseThrow();
              assertThat(storage.durability()).isEqualTo(Durability.BATCHED);
              assertThat(storage.staleness()).hasValue(java.time.Duration.ofSeconds(5));
              assertThat(storage.health().bufferLimit()).isEqualTo(7);
            });
  }

  @Test
  void storageSettingsThatDoNotCombine_failNamingTheProperties() {
    Apps.runner()
        .withPropertyValues(
            "ndp.storage.type=h2",
            "ndp.storage.h2-directory=" + dir,
            "ndp.storage.durability=batched",
            "ndp.storage.buffer-limit=7")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure()))
                  .contains("ndp.storage.max-unflushed-outcomes (1000)")
                  .contains("ndp.storage.buffer-limit (7)");
            });
  }

  static DataSource h2Memory(String name) {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
    return ds;
  }

  @Test
  void jdbc_usesTheApplicationsDataSource() {
    DataSource ds = h2Memory("jdbc-" + UUID.randomUUID());
    String[] props = concat(sequential(0, "flow", "ok"), new String[] {"ndp.storage.type=jdbc"});
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withBean(DataSource.class, () -> ds)
        .withPropertyValues(props)
        .run(
            context -> {
              Ndp ndp = context.getBean(Ndp.class);
              assertThat(ndp.ownedStorage()).get().isInstanceOf(JdbcStorage.class);
              run(ndp, "orders", "x");
              run(ndp, "orders", "x");
            });
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withBean(DataSource.class, () -> ds)
        .withPropertyValues(props)
        .run(
            context ->
                assertThat(
                        context
                            .getBean(Ndp.class)
                            .registry()
                            .statistics("flow", "orders")
                            .successes())
                    .isEqualTo(2));
  }

  @Test
  void jdbc_withoutADataSource_failsNamingTheProperty() {
    Apps.runner()
        .withPropertyValues("ndp.storage.type=jdbc")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure()))
                  .contains("ndp.storage.type=jdbc needs a single DataSource bean")
                  .contains("none");
            });
  }

  @Test
  void h2_withoutTheJdbcModule_failsNamingTheModule() {
    Apps.runner()
        .withClassLoader(new FilteredClassLoader(JdbcStorage.class))
        .withPropertyValues("ndp.storage.type=h2", "ndp.storage.h2-directory=" + dir)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure()))
                  .contains("ndp.storage.type=h2 needs io.ndp:ndp-storage-jdbc");
            });
  }

  @Test
  void memory_withoutTheJdbcModule_works() {
    Apps.runner()
        .withClassLoader(new FilteredClassLoader(JdbcStorage.class))
        .withUserConfiguration(Steps.class)
        .withPropertyValues(sequential(0, "flow", "ok"))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(run(context.getBean(Ndp.class), "d", "x").success()).isTrue();
              assertThat(context).hasSingleBean(NdpHealthIndicator.class);
              assertThat(context.getBean(NdpHealthIndicator.class).health().getStatus().getCode())
                  .isEqualTo("UP");
            });
  }

  @Test
  void userStorageBean_replacesTheProperty_andTheRuntimeOwnsIt() {
    JdbcStorage mine = JdbcStorage.h2(dir);
    Apps.runner()
        .withBean(NdpStorage.class, () -> mine)
        .withPropertyValues("ndp.storage.type=memory")
        .run(context -> assertThat(context.getBean(Ndp.class).ownedStorage()).containsSame(mine));
  }
}
