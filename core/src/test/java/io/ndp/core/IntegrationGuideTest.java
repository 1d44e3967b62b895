package io.ndp.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.common.collect.Iterables;
import io.ndp.api.ConfidenceLevel;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.Delegate;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.patterns.meta.MetaOrchestrationPattern;
import io.ndp.patterns.parallel.ParallelCoordinationPattern;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every snippet of the integration guide ({@code natural-delegation-guide.md}), transcribed almost
 * line by line: the three kinds under the guide's names, the guide's context served for each agent
 * type, the performance and pattern-testing blocks and both monitoring loops. The host's delegates
 * do real work on an order line {@code "sku, qty"}.
 *
 * <p>The parallel pattern is built with the guide's constructor, so it acquires from the registry's
 * own resource pool, with {@link io.ndp.api.ResourcePool#DEFAULT_CAPACITY} units of cpu, memory and
 * network each. The storage is built over the registry ({@code new PatternStorage(registry)}, the
 * one line that differs from the guide): the registry owns the patterns and their statistics, and
 * the storage answers with them.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class IntegrationGuideTest {

  /** The attributes of the guide's section 4, all three keys. */
  private static final Map<String, Object> GUIDE_ATTRIBUTES =
      Map.of(
          "required_steps", List.of("validate", "store"), // for sequential
          "required_resources", List.of("cpu", "memory"), // for parallel
          "required_domains", List.of("auth", "data")); // for meta

  private static final String ORDER_LINE = "ab-12, 3";

  /** What the data domain reads: units in stock per SKU. */
  private static final Map<String, Integer> STOCK = Map.of("AB-12", 40);

  @Test
  void guide_basicIntegrationStepsValidationAndMonitoring_allThreeKindsDoRealWork()
      throws Exception {
    // 1. Set up pattern registry: create registry and executor
    PatternRegistry registry = new PatternRegistry();
    try (PatternExecutor executor = new PatternExecutor(registry)) {

      // 2. Initialize memory storage: create pattern storage (of the registry's patterns)
      PatternStorage storage = new PatternStorage(registry);

      // 3. Create required patterns. The registry owns them and their statistics; the executor
      // records into those statistics and the storage reads them.
      // Sequential pattern
      List<String> steps = List.of("validate", "process", "store");
      SequentialDelegationPattern seqPattern =
          new SequentialDelegationPattern(
              "validation_flow", "Sequential validation workflow", steps);
      registry.register(seqPattern);
      storage.storePattern(seqPattern);

      // Parallel pattern
      Set<String> resources = Set.of("cpu", "memory", "network");
      ParallelCoordinationPattern parallelPattern =
          new ParallelCoordinationPattern(
              "resource_manager", "Resource-based parallel execution", resources);
      registry.register(parallelPattern);
      storage.storePattern(parallelPattern);

      // Meta-orchestration pattern
      Set<String> domains = Set.of("auth", "data", "network", "compute");
      MetaOrchestrationPattern metaPattern =
          new MetaOrchestrationPattern("domain_coordinator", "Cross-domain orchestration", domains);
      registry.register(metaPattern);
      storage.storePattern(metaPattern);

      // The host's delegates: a step, a resource-bound task or a domain each, by name.
      List<String> ledger = new ArrayList<>();
      AtomicInteger processCalls = new AtomicInteger();
      Queue<String> domainsRun = new ConcurrentLinkedQueue<>();
      Delegate cpuWork = in -> crc32(in); // checksum of the raw line
      Delegate memoryWork = in -> ((String) in).getBytes(UTF_8).length; // bytes buffered
      executor
          .delegates()
          .register("validate", IntegrationGuideTest::validate)
          .register(
              "process",
              in -> {
                processCalls.incrementAndGet();
                return in + ",processed";
              })
          .register(
              "store",
              in -> {
                synchronized (ledger) {
                  ledger.add((String) in);
                  return ledger.size();
                }
              })
          .register("cpu", cpuWork)
          .register("memory", memoryWork)
          .register(
              "auth",
              in -> {
                domainsRun.add("auth");
                return authorize(validate(in));
              })
          .register(
              "data",
              in -> {
                domainsRun.add("data");
                return stockOf(validate(in));
              });

      // 4. Execute patterns: the guide's context, for each of its agent types
      Map<String, PatternResult> results = new LinkedHashMap<>();
      for (String agentType : List.of("sequential", "parallel", "orchestrator")) {
        // Create execution context
        PatternContext context =
            PatternContext.builder("your_domain", agentType)
                .attributes(GUIDE_ATTRIBUTES)
                .payload(ORDER_LINE)
                .build();

        // Execute best matching pattern
        PatternResult result = executor.executeBestPattern(context);
        boolean success = result.success();
        String msg = result.message();

        assertThat(success).as("%s: %s", agentType, msg).isTrue();
        results.put(agentType, result);
      }

      // sequential: validate, then store; "process" was not required, so it did not run
      PatternResult sequential = results.get("sequential");
      assertThat(sequential.chosenPattern()).isEqualTo("validation_flow");
      assertThat(sequential.message())
          .isEqualTo(
              "pattern 'validation_flow' succeeded after 1 attempt(s):"
                  + " ran 2 steps: validate -> store");
      assertThat(ledger).containsExactly("AB-12,3");
      assertThat(sequential.output()).isEqualTo(1);
      assertThat(processCalls).hasValue(0);

      // parallel: one task per required resource, network not required
      PatternResult parallel = results.get("parallel");
      assertThat(parallel.chosenPattern()).isEqualTo("resource_manager");
      assertThat(parallel.message())
          .isEqualTo(
              "pattern 'resource_manager' succeeded after 1 attempt(s):"
                  + " ran 2 task(s) concurrently: cpu, memory");
      assertThat(parallel.output()).isEqualTo(Map.of("cpu", crc32(ORDER_LINE), "memory", 8));
      assertThat(parallelPattern.activeResources()).isEmpty();

      // orchestrator: auth and data by their delegates, network and compute not required
      PatternResult orchestrated = results.get("orchestrator");
      assertThat(orchestrated.chosenPattern()).isEqualTo("domain_coordinator");
      assertThat(orchestrated.message())
          .isEqualTo(
              "pattern 'domain_coordinator' succeeded after 1 attempt(s):"
                  + " orchestrated 2 domain(s): auth by delegate, data by delegate");
      assertThat(orchestrated.output()).isEqualTo(Map.of("auth", "granted AB-12", "data", 40));
      assertThat(domainsRun).containsExactlyInAnyOrder("auth", "data");

      // One success each is (1 + 1) / (1 + 2) = 0.67: not HIGH yet.
      assertThat(storage.getPatternsByConfidence(ConfidenceLevel.HIGH)).isEmpty();
      assertThat(storage.getPatternsByConfidence(ConfidenceLevel.MEDIUM))
          .containsExactly(metaPattern, parallelPattern, seqPattern);

      // Validation 1. Performance validation: the decorator becomes a wrapped function.
      PerformanceMeasurement perf = new PerformanceMeasurement();
      Map<String, List<Object>> outputs = new LinkedHashMap<>();
      for (Pattern pattern : List.of(seqPattern, parallelPattern, metaPattern)) {
        Function<PatternContext, PatternResult> executePattern =
            perf.wrap("pattern_execution", ctx -> executor.execute(pattern, ctx));
        String agentType = Iterables.getOnlyElement(pattern.agentTypes());
        for (int qty = 1; qty <= 4; qty++) {
          PatternContext ctx =
              PatternContext.builder("your_domain", agentType)
                  .attributes(GUIDE_ATTRIBUTES)
                  .payload("ab-12, " + qty)
                  .build();
          PatternResult r = executePattern.apply(ctx);
          assertThat(r.success()).as(r.message()).isTrue();
          outputs.computeIfAbsent(pattern.name(), n -> new ArrayList<>()).add(r.output());
        }
      }
      // Check performance stats
      perf.printStats("pattern_execution");
      assertThat(perf.stats("pattern_execution").count()).isEqualTo(12);
      assertThat(perf.stats("pattern_execution").errors()).isZero();
      assertThat(outputs.get("validation_flow")).containsExactly(2, 3, 4, 5);
      assertThat(ledger).containsExactly("AB-12,3", "AB-12,1", "AB-12,2", "AB-12,3", "AB-12,4");
      assertThat(outputs.get("resource_manager"))
          .containsExactly(
              Map.of("cpu", crc32("ab-12, 1"), "memory", 8),
              Map.of("cpu", crc32("ab-12, 2"), "memory", 8),
              Map.of("cpu", crc32("ab-12, 3"), "memory", 8),
              Map.of("cpu", crc32("ab-12, 4"), "memory", 8));
      assertThat(outputs.get("domain_coordinator"))
          .hasSize(4)
          .containsOnly(Map.of("auth", "granted AB-12", "data", 40));
      assertThat(domainsRun).hasSize(2 + 2 * 4);
      assertThat(processCalls).hasValue(0);

      // Monitoring 1. Confidence monitoring. Five successes and no failure each:
      // (5 + 1) / (5 + 2) = 0.857, HIGH.
      List<String> printed = new ArrayList<>();
      List<Pattern> patterns = storage.getPatternsByConfidence(ConfidenceLevel.HIGH);
      for (Pattern pattern : patterns) {
        String line = pattern.name() + ": " + pattern.confidenceScore();
        System.out.println(line);
        printed.add(line);
      }
      assertThat(patterns).containsExactly(metaPattern, parallelPattern, seqPattern);
      assertThat(printed)
          .extracting(line -> line.substring(0, line.indexOf(':')))
          .containsExactly("domain_coordinator", "resource_manager", "validation_flow");
      for (Pattern pattern : patterns) {
        ConfidenceStats stats = storage.statistics(pattern.name());
        assertThat(stats.successes()).isEqualTo(5);
        assertThat(stats.failures()).isZero();
        // 6/7 without forgetting; the default half-life weighs older outcomes (of every pattern
        // in the domain) a little less.
        assertThat(pattern.confidenceScore()).isCloseTo(6.0 / 7, within(0.02));
      }

      // Monitoring 2. Resource monitoring, first while a parallel execution holds its units: its
      // tasks do the same work but wait for a latch first.
      CountDownLatch running = new CountDownLatch(2);
      CountDownLatch release = new CountDownLatch(1);
      executor.delegates().replace("cpu", heldUntil(running, release, cpuWork));
      executor.delegates().replace("memory", heldUntil(running, release, memoryWork));
      PatternContext parallelContext =
          PatternContext.builder("your_domain", "parallel")
              .attributes(GUIDE_ATTRIBUTES)
              .payload(ORDER_LINE)
              .build();
      CompletableFuture<PatternResult> inFlight =
          CompletableFuture.supplyAsync(() -> executor.executeBestPattern(parallelContext));
      try {
        assertThat(running.await(5, TimeUnit.SECONDS)).as("both tasks running").isTrue();

        assertThat(monitorResourceUsage(storage))
            .containsExactly("resource_manager active resources: {cpu=1, memory=1}");
      } finally {
        release.countDown();
      }
      PatternResult held = inFlight.get(5, TimeUnit.SECONDS);
      assertThat(held.success()).as(held.message()).isTrue();
      assertThat(held.output()).isEqualTo(Map.of("cpu", crc32(ORDER_LINE), "memory", 8));

      // ...then after it: execute returns only once every task released its units.
      assertThat(monitorResourceUsage(storage))
          .containsExactly("resource_manager active resources: {}");
      assertThat(storage.getPatternsByType("ParallelCoordinationPattern"))
          .containsExactly(parallelPattern);
    }
  }

  /** The guide's resource-monitoring loop; returns what it printed. */
  private static List<String> monitorResourceUsage(PatternStorage storage) {
    List<String> printed = new ArrayList<>();
    // Monitor resource usage
    List<Pattern> parallelPatterns = storage.getPatternsByType("ParallelCoordinationPattern");
    for (Pattern pattern : parallelPatterns) {
      String line = pattern.name() + " active resources: " + pattern.activeResources();
      System.out.println(line);
      printed.add(line);
    }
    return printed;
  }

  /** A pattern of each kind, standing in for the guide's {@code YourPattern(...)}. */
  static Stream<Pattern> yourPatterns() {
    return Stream.of(
        new SequentialDelegationPattern(
            "your_sequential_pattern", "yours", List.of("validate", "process", "store")),
        new ParallelCoordinationPattern(
            "your_parallel_pattern", "yours", Set.of("cpu", "memory", "network")),
        new MetaOrchestrationPattern(
            "your_meta_pattern", "yours", Set.of("auth", "data", "network", "compute")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("yourPatterns")
  void guide_patternTesting_testPatternIntegration(Pattern pattern) {
    PatternRegistry registry = new PatternRegistry();
    PatternStorage storage = new PatternStorage(registry);

    // Register and test patterns
    registry.register(pattern);
    storage.storePattern(pattern);

    // Verify integration
    assertThat(storage.getPattern(pattern.name())).isEqualTo(pattern);
    assertThat(registry.getPattern(pattern.name())).isEqualTo(pattern);

    // Beyond the guide: the storage answers with the registry's instance, with or without its
    // cache, and the copy the kind's factory rebuilds from the stored definition is equal.
    storage.dropCache();
    assertThat(storage.getPattern(pattern.name())).isSameAs(pattern);
    assertThat(
            PatternFactories.fromServiceLoader()
                .create(storage.findDefinition(pattern.name()).orElseThrow()))
        .isNotSameAs(pattern)
        .isEqualTo(pattern);
  }

  /** Parses and normalizes an order line {@code "sku, qty"}: upper-case SKU, positive quantity. */
  private static String validate(Object in) {
    String line = (String) in;
    String[] parts = line.split(",");
    if (parts.length != 2 || Integer.parseInt(parts[1].trim()) <= 0) {
      throw new IllegalArgumentException("malformed order line: " + line);
    }
    return parts[0].trim().toUpperCase(Locale.ROOT) + "," + parts[1].trim();
  }

  /** Grants access to the line's SKU when it belongs to the AB range. */
  private static String authorize(String validLine) {
    String sku = validLine.substring(0, validLine.indexOf(','));
    if (!sku.startsWith("AB-")) {
      throw new SecurityException("SKU " + sku + " is not in an authorised range");
    }
    return "granted " + sku;
  }

  /** Reads the units in stock of the line's SKU. */
  private static int stockOf(String validLine) {
    String sku = validLine.substring(0, validLine.indexOf(','));
    Integer units = STOCK.get(sku);
    if (units == null) {
      throw new NoSuchElementException("no stock record for SKU " + sku);
    }
    return units;
  }

  private static long crc32(Object in) {
    CRC32 crc = new CRC32();
    crc.update(((String) in).getBytes(UTF_8));
    return crc.getValue();
  }

  /** Signals {@code running}, waits for {@code release}, then does {@code work}. */
  private static Delegate heldUntil(CountDownLatch running, CountDownLatch release, Delegate work) {
    return in -> {
      running.countDown();
      if (!release.await(5, TimeUnit.SECONDS)) {
        throw new IllegalStateException("never released");
      }
      return work.execute(in);
    };
  }
}
