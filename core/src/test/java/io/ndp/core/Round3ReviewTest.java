package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ndp.api.ConfidenceLevel;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.ConfidenceStore;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.Prior;
import io.ndp.api.event.ConfidenceThresholdCrossedEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.core.internal.InMemoryConfidenceStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Third review of 13fc07f (Prior.declaredBy, the registry's remembered priors and prior-change
 * crossings, plugin reports, executor attempt counting), with the brief "prove a bug with a failing
 * test".
 */
class Round3ReviewTest {

  private static PatternContext ctx() {
    return PatternContext.builder("eu", "scripted").payload("x").build();
  }

  private static NdpListener collecting(List<ConfidenceThresholdCrossedEvent> events) {
    return new NdpListener() {
      @Override
      public void onConfidenceThresholdCrossed(ConfidenceThresholdCrossedEvent e) {
        events.add(e);
      }
    };
  }

  /** An in-memory store that runs a one-shot hook right after a statsByDomain read. */
  static final class HookedStore implements ConfidenceStore {
    final InMemoryConfidenceStore delegate = new InMemoryConfidenceStore(Double.POSITIVE_INFINITY);
    final AtomicReference<Runnable> afterStatsByDomain = new AtomicReference<>();

    @Override
    public void recordOutcome(String patternName, String domain, boolean success) {
      delegate.recordOutcome(patternName, domain, success);
    }

    @Override
    public ConfidenceStats stats(String patternName, String domain) {
      return delegate.stats(patternName, domain);
    }

    @Override
    public ConfidenceStats stats(String patternName) {
      return delegate.stats(patternName);
    }

    @Override
    public Map<String, ConfidenceStats> statsByDomain(String patternName) {
      Map<String, ConfidenceStats> read = delegate.statsByDomain(patternName);
      Runnable hook = afterStatsByDomain.getAndSet(null);
      if (hook != null) {
        hook.run();
      }
      return read;
    }

    @Override
    public boolean hasOutcomesOutside(String patternName, String domain) {
      return delegate.hasOutcomesOutside(patternName, domain);
    }

    @Override
    public void reset(String patternName) {
      delegate.reset(patternName);
    }

    @Override
    public void resetDomain(String domain) {
      delegate.resetDomain(domain);
    }

    @Override
    public void resetAll() {
      delegate.resetAll();
    }
  }

  /**
   * ConfidenceService.priorChanged reads store.statsByDomain(pattern) before it takes the key's
   * lock, and priorsRegistered runs after the new pattern is already indexed (visible and
   * selectable, read by priorOf). An outcome of the new pattern recorded in that window (another
   * thread's execution; here run right after the read, as such a thread would) is reported under
   * the new prior: 9/11 -> 9/12, HIGH -> MEDIUM. The prior change is then reported from the stale
   * read: 1/3 -> 9/11, LOW -> HIGH. The chain breaks (the second event's old value 1/3 is not the
   * first's new value 9/12) and the last event leaves a listener at HIGH while the host reads 9/12,
   * MEDIUM.
   */
  @Test
  void anOutcomeRecordedWhileAPriorChangeIsReported_breaksTheChainOfCrossings() {
    List<ConfidenceThresholdCrossedEvent> events = new CopyOnWriteArrayList<>();
    HookedStore store = new HookedStore();
    PatternRegistry registry =
        PatternRegistry.builder().confidenceStore(store).listener(collecting(events)).build();
    registry.register(new ScriptedPattern("p", "scripted", 1.0, OutcomeStatus.FAILED));
    PatternExecutor executor = PatternExecutor.builder(registry).maxAttempts(1).build();
    executor.delegates().register("work", in -> in);
    assertThat(executor.executeBestPattern(ctx()).success()).isFalse(); // 1/2 -> 1/3: MEDIUM->LOW

    // A plugin reload: the same name, now declaring Beta(9, 1).
    store.afterStatsByDomain.set(
        () -> assertThat(executor.executeBestPattern(ctx()).success()).isFalse());
    ScriptedPattern believed =
        new ScriptedPattern("p", "scripted", 1.0, OutcomeStatus.FAILED).prior(new Prior(9, 1));
    registry.replace(believed);

    assertThat(registry.statistics("p", "eu").failures()).isEqualTo(2);
    assertThat(believed.confidenceScore("eu"))
        .as("the host reads 9/12")
        .isCloseTo(9.0 / 12, within(1e-9));
    assertThat(events).isNotEmpty();
    // Adjusted after the fix: the Javadoc promised that each event's old value is the previous
    // event's new value, which no outcome that crosses no line keeps (1/3 -> 1/4 sends nothing);
    // it now promises the chain of levels, which this race broke (LOW -> HIGH after HIGH ->
    // MEDIUM).
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).oldLevel())
          .as(
              "event %d's old level is event %d's new level (its Javadoc); events: %s",
              i, i - 1, events)
          .isEqualTo(events.get(i - 1).newLevel());
    }
    ConfidenceThresholdCrossedEvent last = events.get(events.size() - 1);
    assertThat(last.newLevel())
        .as("the last event tells the level the host reads; events: %s", events)
        .isEqualTo(ConfidenceLevel.MEDIUM);
  }

  /**
   * priorsRegistered runs after writeLock is released, so two re-registrations of one name can
   * record their priors in the other order than they were registered in. One thread registers a
   * Beta(9, 1) pattern and is preempted after indexing it (here: held in its prior(), the first
   * call priorsRegistered makes); meanwhile another withdraws it and registers a neutral one (no
   * change from the remembered neutral prior: no event). The first then records Beta(9, 1) as the
   * name's prior and reports LOW -> HIGH (1/3 -> 9/11), although the live pattern is neutral and
   * the host reads 1/3, LOW. lastPriors keeps Beta(9, 1) for the neutral pattern: the listener
   * believes HIGH, and the next outcome's event starts from 1/3, not 9/11.
   */
  @Test
  void twoReRegistrationsOfOneName_recordTheirPriorsOutOfOrder() throws Exception {
    List<ConfidenceThresholdCrossedEvent> events = new CopyOnWriteArrayList<>();
    PatternRegistry registry =
        PatternRegistry.builder()
            .halfLife(Double.POSITIVE_INFINITY)
            .listener(collecting(events))
            .build();
    registry.register(new ScriptedPattern("p", "scripted", 1.0, OutcomeStatus.FAILED));
    PatternExecutor executor = PatternExecutor.builder(registry).maxAttempts(1).build();
    executor.delegates().register("work", in -> in);
    assertThat(executor.executeBestPattern(ctx()).success()).isFalse(); // 1/2 -> 1/3: MEDIUM->LOW

    java.util.concurrent.CountDownLatch inPrior = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean holdOnce =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    ScriptedPattern believed =
        new ScriptedPattern("p", "scripted", 1.0, OutcomeStatus.FAILED) {
          @Override
          public Prior prior() {
            if (holdOnce.getAndSet(false)) {
              inPrior.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return new Prior(9, 1);
          }
        };
    registry.unregister("p");
    java.util.concurrent.CompletableFuture<Void> first =
        java.util.concurrent.CompletableFuture.runAsync(() -> registry.register(believed));
    assertThat(inPrior.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    // Adjusted after the fix: a pattern's prior is now read before the registry's write lock and
    // recorded under it, in registration order; so the first registration is held before it is
    // indexed (it was after), and it then finds the name taken by the second one.
    assertThat(registry.find("p")).as("not indexed while its prior is read").isEmpty();

    registry.unregister("p");
    ScriptedPattern neutral = new ScriptedPattern("p", "scripted", 1.0, OutcomeStatus.FAILED);
    registry.register(neutral);
    release.countDown();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> first.get(10, java.util.concurrent.TimeUnit.SECONDS))
        .hasCauseInstanceOf(io.ndp.api.DuplicatePatternException.class);

    assertThat(registry.find("p")).containsSame(neutral);
    assertThat(neutral.confidenceScore("eu"))
        .as("the host reads 1/3")
        .isCloseTo(1.0 / 3, within(1e-9));
    assertThat(registry.priorOf("p")).isEqualTo(Prior.NEUTRAL);
    ConfidenceThresholdCrossedEvent last = events.get(events.size() - 1);
    assertThat(last.newLevel())
        .as("the last event tells the level the host reads; events: %s", events)
        .isEqualTo(ConfidenceLevel.LOW);
  }

  /**
   * Prior.declaredBy: "the neutral prior when its prior() breaks its contract: returns null or
   * throws ... so that a broken plugin ... never makes a read throw". It catches RuntimeException
   * only, and so does the executor's priorOf. A plugin pattern whose prior() fails with a
   * LinkageError (its optional dependency absent: NoClassDefFoundError), the way plugin code
   * typically breaks and which the executor absorbs from match() ("match() threw", the pattern
   * skipped) and GuardedFactory from a factory, escapes both: confidenceScore throws, and every
   * selection of its agent type throws, so the healthy pattern beside it never serves.
   */
  @Test
  void aPriorThatThrowsALinkageError_escapesDeclaredByAndTakesSelectionDown() {
    PatternRegistry registry = new PatternRegistry();
    java.util.concurrent.atomic.AtomicBoolean failing =
        new java.util.concurrent.atomic.AtomicBoolean();
    ScriptedPattern broken =
        new ScriptedPattern("broken", "scripted", 1.0, OutcomeStatus.SUCCESS) {
          @Override
          public Prior prior() {
            if (failing.get()) {
              throw new NoClassDefFoundError("org/optional/Dependency");
            }
            return Prior.NEUTRAL;
          }
        };
    ScriptedPattern healthy =
        new ScriptedPattern("healthy", "scripted", 0.5, OutcomeStatus.SUCCESS);
    registry.registerAll(List.of(broken, healthy));
    PatternExecutor executor = PatternExecutor.builder(registry).maxAttempts(2).build();
    executor.delegates().register("work", in -> in);
    failing.set(true); // e.g. its class first needs the absent dependency now

    Throwable read =
        org.assertj.core.api.Assertions.catchThrowable(() -> broken.confidenceScore("eu"));
    Throwable selection =
        org.assertj.core.api.Assertions.catchThrowable(() -> executor.executeBestPattern(ctx()));

    assertThat(read)
        .as(
            "Prior.declaredBy: a broken prior() never makes a read throw (selection threw: %s)",
            selection)
        .isNull();
    assertThat(selection)
        .as(
            "a plugin pattern's broken prior() is judged neutral, as one that throws a"
                + " RuntimeException is; it does not take the agent type's selection down")
        .isNull();
  }

  /**
   * registerAll: "all of them or ... none ... (registry unchanged)" on a throw. priorsRegistered
   * runs after the patterns are indexed and attached, outside any undo: a pattern whose prior()
   * throws a LinkageError makes registerAll throw with both patterns registered (and the second's
   * prior never recorded). The caller (a plugin start) sees a failed registration that took effect.
   */
  @Test
  void registerAll_throwsAfterThePatternsAreRegistered() {
    PatternRegistry registry = new PatternRegistry();
    ScriptedPattern broken =
        new ScriptedPattern("broken", "scripted", 1.0, OutcomeStatus.SUCCESS) {
          @Override
          public Prior prior() {
            throw new NoClassDefFoundError("org/optional/Dependency");
          }
        };
    ScriptedPattern healthy =
        new ScriptedPattern("healthy", "scripted", 0.5, OutcomeStatus.SUCCESS);

    Throwable thrown =
        org.assertj.core.api.Assertions.catchThrowable(
            () -> registry.registerAll(List.of(broken, healthy)));

    if (thrown != null) {
      assertThat(registry.find("broken"))
          .as("registerAll threw %s: the registry must be unchanged", thrown)
          .isEmpty();
      assertThat(registry.find("healthy"))
          .as("registerAll threw %s: the registry must be unchanged", thrown)
          .isEmpty();
    }
  }

  /**
   * The same with a durable store that cannot be read for a moment: re-registering a pattern with
   * another prior (a plugin reload, a definition stored again) reads store.statsByDomain after the
   * new pattern is registered and the old one detached; the store's exception then escapes
   * register(), whose contract says a throw leaves the registry unchanged — yet the new pattern is
   * live and the old one gone.
   */
  @Test
  void aStoreFailureWhileReportingAPriorChange_failsARegistrationThatTookEffect() {
    List<ConfidenceThresholdCrossedEvent> events = new CopyOnWriteArrayList<>();
    HookedStore store = new HookedStore();
    PatternRegistry registry =
        PatternRegistry.builder().confidenceStore(store).listener(collecting(events)).build();
    registry.register(new ScriptedPattern("p", "scripted", 1.0, OutcomeStatus.FAILED));
    PatternExecutor executor = PatternExecutor.builder(registry).maxAttempts(1).build();
    executor.delegates().register("work", in -> in);
    executor.executeBestPattern(ctx());

    registry.unregister("p");
    store.afterStatsByDomain.set(
        () -> {
          throw new IllegalStateException("database unavailable");
        });
    ScriptedPattern believed =
        new ScriptedPattern("p", "scripted", 1.0, OutcomeStatus.FAILED).prior(new Prior(9, 1));
    Throwable thrown =
        org.assertj.core.api.Assertions.catchThrowable(() -> registry.register(believed));

    if (thrown != null) {
      assertThat(registry.find("p"))
          .as("register threw %s: the registry must be unchanged", thrown)
          .isEmpty();
    }
  }

  /**
   * PatternStorage.storeLocked: "Writes the store first, then makes the pattern the registry's
   * instance; when the registry refuses it, the store gets its previous definition back". With
   * replace() throwing from priorsRegistered after the swap took effect (the store unreadable for a
   * moment), the storage puts the previous definition back while the registry serves the new
   * pattern: the stored definition and the live instance disagree from then on.
   */
  @Test
  void aStoreFailureWhileReportingAPriorChange_leavesStorageAndRegistryDisagreeing() {
    List<ConfidenceThresholdCrossedEvent> events = new CopyOnWriteArrayList<>();
    HookedStore store = new HookedStore();
    PatternRegistry registry =
        PatternRegistry.builder().confidenceStore(store).listener(collecting(events)).build();
    PatternStorage storage = new PatternStorage(registry);
    storage.storePattern(new ScriptedPattern("p", "scripted", 1.0, OutcomeStatus.FAILED));
    PatternExecutor executor = PatternExecutor.builder(registry).maxAttempts(1).build();
    executor.delegates().register("work", in -> in);
    executor.executeBestPattern(ctx());

    store.afterStatsByDomain.set(
        () -> {
          throw new IllegalStateException("database unavailable");
        });
    ScriptedPattern next =
        new ScriptedPattern("p", "scripted", 1.0, OutcomeStatus.SUCCESS).prior(new Prior(9, 1));
    Throwable thrown =
        org.assertj.core.api.Assertions.catchThrowable(() -> storage.storePattern(next));

    assertThat(storage.findDefinition("p"))
        .as(
            "storePattern threw %s; the stored definition is the live instance's (live: %s)",
            thrown, registry.find("p").map(x -> x.description()).orElse("none"))
        .contains(registry.find("p").orElseThrow().definition());
  }

  /**
   * The registry now keeps judging a withdrawn pattern (a plugin stopped or reloading) under the
   * prior it remembers, for one chain of crossings per pattern and domain. resetAllStatistics (and
   * resetDomainStatistics) read the scores to compare only for the registered names
   * (patternNames()), so the reset of a withdrawn pattern's statistics moves its score 1/3 -> 1/2
   * (LOW -> MEDIUM) with no event. Once it is back, its next failure reports MEDIUM -> LOW from
   * 1/2: a second fall to LOW right after the first, the old value not the previous event's new
   * value.
   */
  @Test
  void resetAllWhileAPatternIsWithdrawn_breaksItsChainOfCrossings() {
    List<ConfidenceThresholdCrossedEvent> events = new CopyOnWriteArrayList<>();
    PatternRegistry registry =
        PatternRegistry.builder()
            .halfLife(Double.POSITIVE_INFINITY)
            .listener(collecting(events))
            .build();
    registry.register(new ScriptedPattern("p", "scripted", 1.0, OutcomeStatus.FAILED));
    PatternExecutor executor = PatternExecutor.builder(registry).maxAttempts(1).build();
    executor.delegates().register("work", in -> in);
    assertThat(executor.executeBestPattern(ctx()).success()).isFalse(); // 1/2 -> 1/3: MEDIUM->LOW

    registry.unregister("p", false); // a plugin stop, as Ndp withdraws its patterns
    registry.resetAllStatistics();
    registry.register(new ScriptedPattern("p", "scripted", 1.0, OutcomeStatus.FAILED));
    assertThat(executor.executeBestPattern(ctx()).success()).isFalse(); // 1/2 -> 1/3 again

    assertThat(events).hasSizeGreaterThanOrEqualTo(2);
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).oldConfidence())
          .as(
              "event %d's old value is event %d's new value (its Javadoc); events: %s",
              i, i - 1, events)
          .isCloseTo(events.get(i - 1).newConfidence(), within(1e-9));
    }
  }

  /**
   * PatternRegistry.Builder.listener: listeners are "Called in the order added, with no lock held".
   * The crossings of a prior change are delivered from inside replace(), which
   * PatternStorage.storePattern calls holding the name's lock (storeLocked: "The caller holds the
   * name's lock"): a listener that hands work on that pattern to another thread and waits for it
   * (an alert that removes or re-reads the definition) blocks — here for the 2 s the test allows,
   * otherwise for ever.
   */
  @Test
  void aPriorChangesCrossings_areDeliveredWithTheStoragesNameLockHeld() throws Exception {
    java.util.concurrent.atomic.AtomicReference<PatternStorage> storageRef =
        new java.util.concurrent.atomic.AtomicReference<>();
    List<String> blocked = new CopyOnWriteArrayList<>();
    PatternRegistry registry =
        PatternRegistry.builder()
            .halfLife(Double.POSITIVE_INFINITY)
            .listener(
                new NdpListener() {
                  @Override
                  public void onConfidenceThresholdCrossed(ConfidenceThresholdCrossedEvent e) {
                    if (e.newLevel() != ConfidenceLevel.HIGH) {
                      return;
                    }
                    try {
                      java.util.concurrent.CompletableFuture.runAsync(
                              () -> storageRef.get().removePattern("p"))
                          .get(2, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (java.util.concurrent.TimeoutException timedOut) {
                      blocked.add(e.toString());
                    } catch (Exception other) {
                      blocked.add(other.toString());
                    }
                  }
                })
            .build();
    PatternStorage storage = new PatternStorage(registry);
    storageRef.set(storage);
    storage.storePattern(new ScriptedPattern("p", "scripted", 1.0, OutcomeStatus.FAILED));
    PatternExecutor executor = PatternExecutor.builder(registry).maxAttempts(1).build();
    executor.delegates().register("work", in -> in);
    executor.executeBestPattern(ctx()); // 1/2 -> 1/3

    // Stored again, now declaring Beta(9, 1): 1/3 -> 9/11, LOW -> HIGH.
    storage.storePattern(
        new ScriptedPattern("p", "scripted", 1.0, OutcomeStatus.FAILED).prior(new Prior(9, 1)));

    assertThat(blocked)
        .as("the listener ran with a lock held: another thread could not use the pattern's name")
        .isEmpty();
  }

  private static TestPluginJar twoFactoriesOneUnloadable() {
    return new TestPluginJar("lib-plugin")
        .factory(
            "test.libp.GoodFactory",
            """
            package test.libp;
            import io.ndp.api.*;
            import java.util.*;
            public final class GoodFactory implements PatternFactory {
              public String type() { return "libp_good"; }
              public Set<String> aliases() { return Set.of(); }
              public Pattern create(PatternDefinition d) {
                throw new UnsupportedOperationException();
              }
            }
            """)
        .source(
            "test.optional.OptionalBase",
            """
            package test.optional;
            public abstract class OptionalBase {}
            """)
        .factory(
            "test.libp.BadFactory",
            """
            package test.libp;
            import io.ndp.api.*;
            import java.util.*;
            public final class BadFactory extends test.optional.OptionalBase
                implements PatternFactory {
              public String type() { return "libp_bad"; }
              public Set<String> aliases() { return Set.of(); }
              public Pattern create(PatternDefinition d) {
                throw new UnsupportedOperationException();
              }
            }
            """);
  }

  /**
   * 13fc07f: the declared factories are "the entries of its META-INF/services/...PatternFactory,
   * and the extension classes PF4J found that load and are factories"; the services file is read
   * from the JAR, or for a folder from its root or classes/. A plugin folder in PF4J's usual layout
   * with its code in lib/*.jar (classes/ holding only the manifest) has its services file in that
   * JAR: it is not read, and a listed factory that does not load (its superclass's library absent)
   * is taken for "another service's provider" and dropped. The same plugin as a JAR is FAILED
   * ("none of its types is half-served"); as a folder it is STARTED serving only its other type.
   */
  @Test
  void aFolderPluginWithItsCodeInLib_isHalfServedWhereItsJarIsFailed(@TempDir Path tmp)
      throws Exception {
    Path jarDir = tmp.resolve("jar-plugins");
    Path jar = twoFactoriesOneUnloadable().writeTo(jarDir);
    try (java.nio.file.FileSystem fs = java.nio.file.FileSystems.newFileSystem(jar)) {
      java.nio.file.Files.delete(fs.getPath("test/optional/OptionalBase.class"));
    }
    Path folderDir = tmp.resolve("folder-plugins");
    Path folder = folderDir.resolve("lib-plugin");
    java.nio.file.Files.createDirectories(folder.resolve("classes/META-INF"));
    java.nio.file.Files.createDirectories(folder.resolve("lib"));
    try (java.nio.file.FileSystem fs = java.nio.file.FileSystems.newFileSystem(jar)) {
      java.nio.file.Files.copy(
          fs.getPath("META-INF/MANIFEST.MF"), folder.resolve("classes/META-INF/MANIFEST.MF"));
    }
    java.nio.file.Files.copy(jar, folder.resolve("lib/lib-plugin.jar"));

    PluginReport asJar;
    try (Ndp ndp = Ndp.builder().pluginsDir(jarDir).serviceLoader(false).build()) {
      asJar = ndp.pluginReport("lib-plugin").orElseThrow();
    }
    PluginReport asFolder;
    try (Ndp ndp = Ndp.builder().pluginsDir(folderDir).serviceLoader(false).build()) {
      asFolder = ndp.pluginReport("lib-plugin").orElseThrow();
    }
    assertThat(asJar.status()).as("as a JAR: %s", asJar).isEqualTo(PluginReport.Status.FAILED);
    assertThat(asFolder.status())
        .as("the same plugin as a folder with lib/: %s (as a JAR: %s)", asFolder, asJar)
        .isEqualTo(PluginReport.Status.FAILED);
  }

  /**
   * The same with PF4J's own index: a plugin built with PF4J's annotation processor declares its
   * factories in META-INF/extensions.idx instead of META-INF/services (the NO_EXTENSIONS report
   * names both). That file is not read; only the extension classes that load count, so a listed
   * factory that does not load is dropped as "another service's provider", and the plugin is
   * STARTED serving half its types where the same plugin with a services file is FAILED.
   */
  @Test
  void aPluginDeclaringItsFactoriesInExtensionsIdx_isHalfServedWhenOneDoesNotLoad(@TempDir Path tmp)
      throws Exception {
    Path jar = twoFactoriesOneUnloadable().writeTo(tmp);
    try (java.nio.file.FileSystem fs = java.nio.file.FileSystems.newFileSystem(jar)) {
      java.nio.file.Files.delete(fs.getPath("test/optional/OptionalBase.class"));
      java.nio.file.Files.delete(fs.getPath("META-INF/services/io.ndp.api.PatternFactory"));
      java.nio.file.Files.writeString(
          fs.getPath("META-INF/extensions.idx"), "test.libp.BadFactory\ntest.libp.GoodFactory\n");
    }

    try (Ndp ndp = Ndp.builder().pluginsDir(tmp).serviceLoader(false).build()) {
      PluginReport r = ndp.pluginReport("lib-plugin").orElseThrow();
      assertThat(r.status())
          .as("one of its declared factories cannot be created: %s", r)
          .isEqualTo(PluginReport.Status.FAILED);
    }
  }
}
