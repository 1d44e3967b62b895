package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternDefinitionStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link PatternDefinitionStore}, for every implementation: extend this class and
 * return a fresh, empty store from {@link #newStore()}. A durable store (H2, PostgreSQL) must start
 * each test empty and may add its own {@code @AfterEach} to release it.
 *
 * <p>"Sorted by name" means {@link String#compareTo} order, so a SQL store must sort with a binary
 * collation ({@code COLLATE "C"} in PostgreSQL), not the database's locale: {@code "Zeta"} comes
 * before {@code "alpha"}.
 */
public abstract class PatternDefinitionStoreContractTest {

  private static final int THREADS = 8;
  private static final int OPS_PER_THREAD = 5_000;
  private static final List<String> TYPES = List.of("sequential", "parallel", "meta");

  /** The store under test, new for each test. */
  protected PatternDefinitionStore store;

  /**
   * Returns an empty store; called once before each test.
   *
   * @return the store under test
   */
  protected abstract PatternDefinitionStore newStore();

  @BeforeEach
  void createStore() {
    store = newStore();
  }

  @Test
  void find_unknownName_isEmpty() {
    assertThat(store.find("nope")).isEmpty();
    assertThat(store.findAll()).isEmpty();
    assertThat(store.findByType("sequential")).isEmpty();
  }

  @Test
  void store_thenFind_returnsAnEqualDefinition() {
    PatternDefinition flow =
        new PatternDefinition(
            "sequential",
            "validation_flow",
            "checks then stores",
            Map.of("steps", List.of("validate", "store"), "limits", Map.of("retries", 3)));

    store.store(flow);

    assertThat(store.find("validation_flow")).contains(flow);
  }

  @Test
  void store_sameName_replacesTheDefinition() {
    store.store(def("sequential", "flow", "v1"));
    PatternDefinition v2 = def("sequential", "flow", "v2");

    store.store(v2);

    assertThat(store.find("flow")).contains(v2);
    assertThat(store.findAll()).containsExactly(v2);
    assertThat(store.findByType("sequential")).containsExactly(v2);
  }

  @Test
  void findByType_returnsOnlyThatType_sortedByName() {
    PatternDefinition c = def("sequential", "c_flow", "");
    PatternDefinition a = def("sequential", "a_flow", "");
    PatternDefinition b = def("parallel", "b_fanout", "");
    PatternDefinition upper = def("sequential", "Z_flow", "");
    store.store(c);
    store.store(b);
    store.store(a);
    store.store(upper);

    assertThat(store.findByType("sequential")).containsExactly(upper, a, c);
    assertThat(store.findByType("parallel")).containsExactly(b);
    assertThat(store.findByType("meta")).isEmpty();
  }

  @Test
  void store_sameNameOtherType_leavesTheOldTypesIndex() {
    store.store(def("sequential", "flow", "was sequential"));
    store.store(def("sequential", "kept", ""));
    PatternDefinition nowParallel = def("parallel", "flow", "now parallel");

    store.store(nowParallel);

    assertThat(store.findByType("sequential"))
        .extracting(PatternDefinition::name)
        .containsExactly("kept");
    assertThat(store.findByType("parallel")).containsExactly(nowParallel);
    assertThat(store.find("flow")).contains(nowParallel);
  }

  @Test
  void store_changingTypeBack_indexesTheNameOnceUnderItsCurrentType() {
    store.store(def("sequential", "flow", "1"));
    store.store(def("parallel", "flow", "2"));
    PatternDefinition back = def("sequential", "flow", "3");

    store.store(back);

    assertThat(store.findByType("sequential")).containsExactly(back);
    assertThat(store.findByType("parallel")).isEmpty();
  }

  @Test
  void findAll_isSortedByName_inStringOrder() {
    for (String name : List.of("beta", "alpha", "Zeta", "_x", "alpha2", "Alpha")) {
      store.store(def(TYPES.get(name.length() % TYPES.size()), name, ""));
    }

    assertThat(store.findAll())
        .extracting(PatternDefinition::name)
        .containsExactly("Alpha", "Zeta", "_x", "alpha", "alpha2", "beta");
  }

  @Test
  void remove_forgetsTheDefinitionEverywhere_andSaysWhetherOneWasThere() {
    store.store(def("sequential", "flow", ""));
    PatternDefinition other = def("sequential", "other", "");
    store.store(other);

    assertThat(store.remove("flow")).isTrue();

    assertThat(store.find("flow")).isEmpty();
    assertThat(store.findAll()).containsExactly(other);
    assertThat(store.findByType("sequential")).containsExactly(other);
    assertThat(store.remove("flow")).isFalse();
    assertThat(store.remove("never")).isFalse();
  }

  @Test
  void store_afterRemove_storesAgain() {
    store.store(def("sequential", "flow", "1"));
    store.remove("flow");
    PatternDefinition again = def("parallel", "flow", "2");

    store.store(again);

    assertThat(store.find("flow")).contains(again);
    assertThat(store.findByType("parallel")).containsExactly(again);
    assertThat(store.findByType("sequential")).isEmpty();
  }

  @Test
  void concurrentStoreAndRemove_ofOverlappingNames_leaveTheTypeIndexConsistent() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean writing = new AtomicBoolean(true);
    List<Future<?>> writers = new ArrayList<>();
    try {
      for (int t = 0; t < THREADS; t++) {
        long seed = t;
        writers.add(
            pool.submit(
                () -> {
                  SplittableRandom random = new SplittableRandom(seed);
                  start.await();
                  for (int i = 0; i < OPS_PER_THREAD; i++) {
                    // 16 names shared by every thread, each stored under changing types.
                    String name = "p" + random.nextInt(16);
                    if (random.nextInt(4) == 0) {
                      store.remove(name);
                    } else {
                      String type = TYPES.get(random.nextInt(TYPES.size()));
                      store.store(def(type, name, "by " + seed + " #" + i));
                    }
                  }
                  return null;
                }));
      }
      // A reader checks what any single answer must satisfy while the writers run.
      Future<?> reader =
          pool.submit(
              () -> {
                start.await();
                do {
                  for (String type : TYPES) {
                    List<PatternDefinition> byType = store.findByType(type);
                    assertThat(byType).allSatisfy(d -> assertThat(d.type()).isEqualTo(type));
                    assertSortedByDistinctNames(byType);
                  }
                  assertSortedByDistinctNames(store.findAll());
                } while (writing.get());
                return null;
              });
      start.countDown();
      for (Future<?> f : writers) {
        f.get(2, TimeUnit.MINUTES);
      }
      writing.set(false);
      reader.get(2, TimeUnit.MINUTES);
    } finally {
      writing.set(false);
      pool.shutdownNow();
    }

    List<PatternDefinition> all = store.findAll();
    assertSortedByDistinctNames(all);
    List<PatternDefinition> indexed = new ArrayList<>();
    for (String type : TYPES) {
      List<PatternDefinition> byType = store.findByType(type);
      assertThat(byType)
          .as("findByType(%s) against findAll", type)
          .containsExactlyElementsOf(all.stream().filter(d -> d.type().equals(type)).toList());
      indexed.addAll(byType);
    }
    assertThat(indexed).containsExactlyInAnyOrderElementsOf(all);
    for (PatternDefinition d : all) {
      assertThat(store.find(d.name())).contains(d);
    }
  }

  private static void assertSortedByDistinctNames(List<PatternDefinition> definitions) {
    List<String> names = definitions.stream().map(PatternDefinition::name).toList();
    assertThat(names).doesNotHaveDuplicates().isSortedAccordingTo(Comparator.naturalOrder());
  }

  private static PatternDefinition def(String type, String name, String description) {
    return new PatternDefinition(type, name, description, Map.of("steps", List.of("x")));
  }
}
