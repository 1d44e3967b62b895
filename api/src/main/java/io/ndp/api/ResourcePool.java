package io.ndp.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Named resources with capacities (units), acquired <b>all at once or not at all</b>.
 *
 * <p><b>Who owns a pool.</b> A pool belongs to whoever created it: the runtime (every {@code
 * PatternRegistry} owns one, and the patterns registered there acquire from it) or the host, which
 * may hand its own pool to a pattern. There is no process-wide pool: two runtimes in one JVM never
 * share units, and a plugin reloaded into the same runtime finds the same pool.
 *
 * <p><b>Capacities.</b> A resource's capacity is either <i>explicit</i> — declared by the host
 * ({@link #declare}, {@link #declareAll}, the {@link #ResourcePool(Map) constructor}) or configured
 * by a pattern (e.g. {@code capacity("cpu", 4)}) — or <i>default</i>: a pattern that names a
 * resource without configuring a capacity gets the pool's {@link #defaultCapacity()}, by default
 * {@link #DEFAULT_CAPACITY}, the number of processors the JVM sees. Why processors: the guide's
 * pattern {@code new ParallelCoordinationPattern(name, description, Set.of("cpu", ...))} runs one
 * task per resource concurrently, and a capacity of one would silently serialize them; the
 * processor count lets them run side by side on any machine, and hosts that know better declare
 * capacities. An explicit capacity is set once: declaring the same one again is harmless, a
 * different one is an {@link IllegalArgumentException} naming the resource and both capacities. A
 * default capacity gives way to the first explicit one.
 *
 * <p><b>Acquisition.</b> {@link #tryAcquireAll} takes every requested unit in one step under one
 * lock, or waits (up to the given time) until all of them are free at the same moment; it never
 * holds some units while waiting for others, so there is no deadlock and never more units in use
 * than a capacity. <b>Fairness:</b> a request is not granted while a waiting request that precedes
 * it needs one of its resources. Higher priority precedes; within a priority, first come, first
 * served: a newcomer never takes units an earlier request is waiting for, so a large request amid
 * constant small ones is granted as soon as the units held when it arrived (and those of the
 * requests before it) are released. Waiting raises a request's priority by one level per {@link
 * #AGEING_STEP}, so a low priority is eventually served too. A request that can never fit (more
 * units than the capacity) or names an undeclared resource is rejected at once.
 *
 * <p><b>Release.</b> The {@link Lease} returned is {@link AutoCloseable}; closing it releases its
 * units exactly once, however often it is called and from whichever thread. Use it in
 * try-with-resources so that units come back on every path.
 *
 * <pre>{@code
 * ResourcePool pool = new ResourcePool(Map.of("cpu", 4, "memory", 2));
 * Optional<ResourcePool.Lease> lease = pool.tryAcquireAll(Map.of("cpu", 2, "memory", 1),
 *     Duration.ofSeconds(1));
 * if (lease.isPresent()) {
 *   try (ResourcePool.Lease held = lease.get()) {
 *     // work with 2 cpu and 1 memory units
 *   }
 * }
 * }</pre>
 *
 * <p>Thread-safe: all state is guarded by one lock; every query returns a consistent, immutable
 * snapshot.
 *
 * @since 0.1.0
 */
public final class ResourcePool {

  /**
   * The capacity a resource gets when a pattern names it without configuring one and the host did
   * not declare it: the number of processors available to the JVM when the class was loaded (see
   * the class documentation for why).
   */
  public static final int DEFAULT_CAPACITY =
      Math.max(1, Runtime.getRuntime().availableProcessors());

  /**
   * How long a request waits to gain one priority level: a request of priority {@code p} overtakes
   * newcomers of priority {@code p + k} after waiting {@code k} steps, so that a low priority is
   * eventually served even under constant high-priority traffic.
   */
  public static final Duration AGEING_STEP = Duration.ofMillis(100);

  /** The owner recorded for leases taken without naming one. */
  public static final String DEFAULT_OWNER = "host";

  private final int defaultCapacity;
  private final ReentrantLock lock = new ReentrantLock();
  // All fields below are guarded by lock. Maps hold only positive counts.
  private final Map<String, Integer> capacities = new HashMap<>();
  // Resources whose capacity was given explicitly; the others hold the default and may change once.
  private final Set<String> explicit = new HashSet<>();
  // Per resource, the most units one task of a declared pattern needs: no capacity goes below it.
  private final Map<String, Integer> largestDeclaredNeed = new HashMap<>();
  private final Map<String, Integer> inUse = new HashMap<>();
  private final Map<String, Map<String, Integer>> inUseByOwner = new HashMap<>();
  // Waiting requests, highest priority first, then oldest first.
  private final NavigableSet<Waiter> waiters = new TreeSet<>(Waiter.ORDER);
  private long arrivals;
  // Not guarded: read without the lock (copy on write); notified after the lock is released.
  private final List<Observer> observers = new CopyOnWriteArrayList<>();

  /**
   * Hears every grant, release and conflict of a pool, e.g. to export units in use as metrics. The
   * runtime turns them into {@link io.ndp.api.event.ResourceAcquiredEvent}, {@link
   * io.ndp.api.event.ResourceReleasedEvent} and {@link io.ndp.api.event.ResourceConflictEvent}.
   *
   * <p>Called on the thread that acquired, released or gave up, after the pool released its lock:
   * an observer may use the pool. The maps are immutable and list only the resources of {@code
   * units}; {@code inUse} and {@code capacity} are as they were right after the change. An observer
   * that throws anything but an {@link OutOfMemoryError} or {@link InternalError} is logged ({@link
   * System.Logger}) and changes nothing; those two go on to the caller (from {@code acquired},
   * after the units were given back). Keep it quick, it runs on the acquiring thread. With no
   * observer, nothing is computed.
   *
   * @since 0.2.0
   */
  public interface Observer {
    /**
     * A request was granted.
     *
     * @param owner who holds the lease
     * @param units the units held
     * @param inUse the units in use right after
     * @param capacity the capacities
     * @param waited how long the request waited
     */
    default void acquired(
        String owner,
        Map<String, Integer> units,
        Map<String, Integer> inUse,
        Map<String, Integer> capacity,
        Duration waited) {}

    /**
     * A lease gave its units back.
     *
     * @param owner who held the lease
     * @param units the units given back
     * @param inUse the units in use right after
     * @param capacity the capacities
     */
    default void released(
        String owner,
        Map<String, Integer> units,
        Map<String, Integer> inUse,
        Map<String, Integer> capacity) {}

    /**
     * A request was not granted within its wait; nothing is held.
     *
     * @param owner who asked
     * @param units the units asked for
     * @param inUse the units in use when it gave up
     * @param capacity the capacities
     * @param waited how long it waited
     */
    default void conflict(
        String owner,
        Map<String, Integer> units,
        Map<String, Integer> inUse,
        Map<String, Integer> capacity,
        Duration waited) {}
  }

  /** Creates an empty pool whose default capacity is {@link #DEFAULT_CAPACITY}. */
  public ResourcePool() {
    this(Map.of(), DEFAULT_CAPACITY);
  }

  /**
   * Creates a pool with these explicit capacities.
   *
   * @param capacities resource name to units, each at least 1
   * @throws IllegalArgumentException naming every invalid entry
   */
  public ResourcePool(Map<String, Integer> capacities) {
    this(capacities, DEFAULT_CAPACITY);
  }

  /**
   * Creates a pool with these explicit capacities and this default capacity for resources that
   * patterns name without a capacity.
   *
   * @param capacities resource name to units, each at least 1
   * @param defaultCapacity units of a resource named without a capacity, at least 1
   * @throws IllegalArgumentException naming every invalid entry
   */
  public ResourcePool(Map<String, Integer> capacities, int defaultCapacity) {
    if (defaultCapacity < 1) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT, "default capacity must be at least 1 but was %d", defaultCapacity));
    }
    this.defaultCapacity = defaultCapacity;
    declareAll(capacities);
  }

  /**
   * {@return the capacity, in units (at least 1), that a resource a pattern names without a
   * capacity gets in this pool, until an explicit capacity is declared for it}
   */
  public int defaultCapacity() {
    return defaultCapacity;
  }

  /**
   * Declares a resource's capacity explicitly; see the class documentation for the set-once rule.
   *
   * @param resource non-blank resource name
   * @param capacity units, at least 1
   * @return this pool
   * @throws IllegalArgumentException when invalid or when the resource already has another explicit
   *     capacity
   */
  public ResourcePool declare(String resource, int capacity) {
    Map<String, Integer> one = new HashMap<>();
    one.put(resource, capacity);
    return declareAll(one);
  }

  /**
   * Declares several explicit capacities at once: all of them or, when any is invalid or conflicts,
   * none.
   *
   * @param capacities resource name to units, each at least 1
   * @return this pool
   * @throws IllegalArgumentException naming every invalid or conflicting entry
   */
  public ResourcePool declareAll(Map<String, Integer> capacities) {
    if (capacities == null) {
      throw new IllegalArgumentException("capacities must be a map but was null");
    }
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Integer> e : capacities.entrySet()) {
      checkCapacity(e.getKey(), e.getValue(), problems);
    }
    throwIfAny(problems);
    lock.lock();
    try {
      capacities.forEach(
          (r, c) -> checkNoConflict(r, c, "a declaration asks for capacity", problems));
      capacities.forEach((r, c) -> checkNotBelowUse(r, c, Map.of(), problems));
      throwIfAny(problems);
      this.capacities.putAll(capacities);
      this.explicit.addAll(capacities.keySet());
      wakeThoseThatFit();
    } finally {
      lock.unlock();
    }
    return this;
  }

  /**
   * Declares what a pattern needs, atomically: its explicit capacities must agree with the explicit
   * ones in force (a default capacity gives way to them), its other resources get the {@linkplain
   * #defaultCapacity() default} unless declared, and the largest need of any one task must fit.
   * Nothing changes when anything is wrong.
   *
   * @param who who declares, for messages, e.g. {@code pattern 'encoder'}
   * @param resources the resources it uses
   * @param explicitCapacities the capacities it configures (a subset of {@code resources})
   * @param largestNeeds per resource, the most units one of its tasks needs at once
   * @throws IllegalArgumentException naming every conflict and every need above a capacity
   */
  public void declareFor(
      String who,
      Set<String> resources,
      Map<String, Integer> explicitCapacities,
      Map<String, Integer> largestNeeds) {
    if (who == null || resources == null || explicitCapacities == null || largestNeeds == null) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "declareFor needs a declarer, resources, capacities and needs but got %s, %s, %s, %s",
              who,
              resources,
              explicitCapacities,
              largestNeeds));
    }
    List<String> problems = new ArrayList<>();
    for (String r : resources) {
      checkCapacity(r, defaultCapacity, problems);
    }
    explicitCapacities.forEach((r, c) -> checkCapacity(r, c, problems));
    largestNeeds.forEach((r, c) -> checkCapacity(r, c, problems));
    throwIfAny(problems);
    Set<String> all = new HashSet<>(resources);
    all.addAll(explicitCapacities.keySet());
    throwIfAny(problems);
    lock.lock();
    try {
      String asks = who + " declares capacity";
      explicitCapacities.forEach((r, c) -> checkNoConflict(r, c, asks, problems));
      explicitCapacities.forEach((r, c) -> checkNotBelowUse(r, c, largestNeeds, problems));
      Map<String, Integer> effective = new HashMap<>();
      for (String r : all) {
        Integer c = explicitCapacities.get(r);
        effective.put(r, c != null ? c : capacities.getOrDefault(r, defaultCapacity));
      }
      largestNeeds.forEach(
          (r, units) -> {
            Integer capacity = effective.get(r);
            if (capacity != null && units > capacity) {
              problems.add(
                  String.format(
                      Locale.ROOT,
                      "%s needs %d units of '%s' in one task but its capacity is %d",
                      who,
                      units,
                      r,
                      capacity));
            }
          });
      throwIfAny(problems);
      capacities.putAll(effective);
      explicit.addAll(explicitCapacities.keySet());
      largestNeeds.forEach((r, u) -> largestDeclaredNeed.merge(r, u, Math::max));
      wakeThoseThatFit();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs {@code declarations} — code that declares in this pool, e.g. attaching several patterns —
   * holding the pool's lock, so that no other thread declares or acquires meanwhile; when it
   * throws, everything it declared is undone before anyone else sees it. Keep it short: it blocks
   * every acquisition of this pool while it runs.
   *
   * @param declarations the declaring code
   * @param <T> what it returns
   * @return what {@code declarations} returned
   */
  public <T> T declareTogether(Supplier<T> declarations) {
    if (declarations == null) {
      throw new IllegalArgumentException("declarations must not be null");
    }
    lock.lock();
    try {
      Map<String, Integer> capacitiesBefore = new HashMap<>(capacities);
      Set<String> explicitBefore = new HashSet<>(explicit);
      Map<String, Integer> needsBefore = new HashMap<>(largestDeclaredNeed);
      try {
        return declarations.get();
      } catch (RuntimeException | Error e) {
        // Nobody acquired or declared since: the lock was held throughout.
        capacities.clear();
        capacities.putAll(capacitiesBefore);
        explicit.clear();
        explicit.addAll(explicitBefore);
        largestDeclaredNeed.clear();
        largestDeclaredNeed.putAll(needsBefore);
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns a resource's capacity.
   *
   * @param resource the resource name
   * @return its capacity, or empty when it is not declared in this pool
   * @throws IllegalArgumentException when {@code resource} is null
   */
  public OptionalInt capacity(String resource) {
    if (resource == null) {
      throw new IllegalArgumentException("the resource to look up must not be null");
    }
    lock.lock();
    try {
      Integer c = capacities.get(resource);
      return c == null ? OptionalInt.empty() : OptionalInt.of(c);
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@return every capacity known now, explicit or default, as resource name to units, sorted by
   * name; an immutable snapshot, empty while nothing is declared}
   */
  public Map<String, Integer> capacities() {
    lock.lock();
    try {
      return sortedCopy(capacities);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Acquires all the requested units at once, waiting up to {@code wait} for them to be free
   * together; owner {@value #DEFAULT_OWNER}, default priority 0.
   *
   * @param units resource name to units wanted (each at least 1); empty yields an empty lease
   * @param wait how long to wait at most; zero tries once
   * @return the lease, or empty when the units were not free in time (nothing is held then)
   * @throws InterruptedException when interrupted before or while waiting (nothing is held then)
   * @throws IllegalArgumentException naming every undeclared resource, non-positive count or count
   *     above a capacity
   */
  public Optional<Lease> tryAcquireAll(Map<String, Integer> units, Duration wait)
      throws InterruptedException {
    return tryAcquireAll(DEFAULT_OWNER, 0, units, wait);
  }

  /**
   * Acquires all the requested units at once for {@code owner}, waiting up to {@code wait}; waiting
   * requests with a higher {@code priority} are served first.
   *
   * @param owner who holds the lease, e.g. a pattern name; see {@link #activeResources(String)}
   * @param priority higher goes first among waiting requests that need the same resource
   * @param units resource name to units wanted (each at least 1); empty yields an empty lease
   * @param wait how long to wait at most; zero tries once
   * @return the lease, or empty when the units were not free in time (nothing is held then)
   * @throws InterruptedException when interrupted before or while waiting (nothing is held then)
   * @throws IllegalArgumentException naming every undeclared resource, non-positive count or count
   *     above a capacity
   */
  public Optional<Lease> tryAcquireAll(
      String owner, int priority, Map<String, Integer> units, Duration wait)
      throws InterruptedException {
    if (owner == null || owner.isBlank()) {
      throw new IllegalArgumentException(
          "lease owner must be non-blank but was " + (owner == null ? "null" : "'" + owner + "'"));
    }
    if (wait == null || wait.isNegative()) {
      throw new IllegalArgumentException("wait must be zero or positive but was " + wait);
    }
    long nanos = saturatedNanos(wait);
    long began = System.nanoTime();
    Outcome o = acquire(owner, priority, units, nanos);
    if (o.inUse != null) {
      Duration waited = Duration.ofNanos(System.nanoTime() - began);
      for (Observer observer : observers) {
        try {
          if (o.lease != null) {
            observer.acquired(owner, o.request, o.inUse, o.capacity, waited);
          } else {
            observer.conflict(owner, o.request, o.inUse, o.capacity, waited);
          }
        } catch (OutOfMemoryError | InternalError e) {
          // The JVM's own failure goes on; the caller never gets the lease: give its units back.
          if (o.lease != null) {
            o.lease.release();
          }
          throw e;
        } catch (Throwable e) { // an assertion, a missing class of a metrics library: logged
          observerFailed(observer, e);
        }
      }
    }
    return Optional.ofNullable(o.lease);
  }

  /** A request's end: the lease (null: not granted) and, when observed, the state right after. */
  private record Outcome(
      @Nullable Lease lease,
      Map<String, Integer> request,
      @Nullable Map<String, Integer> inUse,
      @Nullable Map<String, Integer> capacity) {}

  /** Ends a request under the lock: takes the snapshot observers get, when there are any. */
  private Outcome ended(@Nullable Lease lease, Map<String, Integer> request) {
    if (observers.isEmpty() || request.isEmpty()) {
      return new Outcome(lease, request, null, null);
    }
    Map<String, Integer> used = new TreeMap<>();
    Map<String, Integer> capacity = new TreeMap<>();
    for (String r : request.keySet()) {
      used.put(r, inUse.getOrDefault(r, 0));
      capacity.put(r, capacities.get(r));
    }
    return new Outcome(lease, Map.copyOf(request), Map.copyOf(used), Map.copyOf(capacity));
  }

  private Outcome acquire(String owner, int priority, Map<String, Integer> units, long nanos)
      throws InterruptedException {
    lock.lockInterruptibly();
    try {
      // Checked and granted in one hold of the lock: the capacities cannot change in between.
      Map<String, Integer> request = validRequest(units);
      if (canGrant(request, priority, null)) {
        return ended(grant(owner, request), request);
      }
      if (nanos <= 0) {
        return ended(null, request);
      }
      Waiter me = new Waiter(request, priority, arrivals++, System.nanoTime(), lock.newCondition());
      waiters.add(me);
      boolean granted = false;
      long deadline = System.nanoTime() + Math.min(nanos, Long.MAX_VALUE / 4);
      try {
        while (true) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return ended(null, request);
          }
          // Precedence changes with age, not only on releases: re-check at every ageing step.
          me.ready.awaitNanos(Math.min(left, AGEING_STEP.toNanos()));
          if (canGrant(request, priority, me)) {
            granted = true;
            return ended(grant(owner, request), request);
          }
          wakeThoseThatFit(); // someone may precede now, and fit
        }
      } finally {
        waiters.remove(me);
        // Units this request was woken for, or requests it held back, may suit others now.
        wakeThoseThatFit();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@return the units held now by all leases together, as resource name to units, sorted by name;
   * only resources with units in use appear, so it is empty when the pool is idle. An immutable
   * snapshot}
   */
  public Map<String, Integer> activeResources() {
    lock.lock();
    try {
      return sortedCopy(inUse);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the units held now by leases of {@code owner}, by resource, sorted; empty when it holds
   * none. An immutable snapshot.
   *
   * @param owner the lease owner, e.g. a pattern name
   * @return the units it holds
   * @throws IllegalArgumentException when {@code owner} is null
   */
  public Map<String, Integer> activeResources(String owner) {
    if (owner == null) {
      throw new IllegalArgumentException("the owner to look up must not be null");
    }
    lock.lock();
    try {
      Map<String, Integer> held = inUseByOwner.get(owner);
      return held == null ? Map.of() : sortedCopy(held);
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@return how many {@code tryAcquireAll} calls are waiting for units right now (0 when none);
   * for monitoring, it may change as soon as it is read}
   */
  public int waitingRequests() {
    lock.lock();
    try {
      return waiters.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    lock.lock();
    try {
      return String.format(
          Locale.ROOT,
          "ResourcePool[capacities=%s, inUse=%s, waiting=%d]",
          sortedCopy(capacities),
          sortedCopy(inUse),
          waiters.size());
    } finally {
      lock.unlock();
    }
  }

  private Map<String, Integer> validRequest(@Nullable Map<String, Integer> units) {
    if (units == null) {
      throw new IllegalArgumentException("units must be a map but was null");
    }
    List<String> problems = new ArrayList<>();
    Map<String, Integer> copy = new TreeMap<>();
    lock.lock();
    try {
      for (Map.Entry<String, Integer> e : units.entrySet()) {
        String r = e.getKey();
        Integer u = e.getValue();
        Integer capacity = r == null ? null : capacities.get(r);
        if (capacity == null) {
          problems.add(
              String.format(
                  Locale.ROOT,
                  "resource %s is not declared in this pool (declared: %s)",
                  r == null ? "null" : "'" + r + "'",
                  sortedCopy(capacities).keySet()));
        } else if (u == null || u < 1) {
          problems.add(
              String.format(Locale.ROOT, "units of '%s' must be at least 1 but were %s", r, u));
        } else if (u > capacity) {
          problems.add(
              String.format(
                  Locale.ROOT,
                  "%d units of '%s' can never be acquired: its capacity is %d",
                  u,
                  r,
                  capacity));
        } else {
          copy.put(r, u);
        }
      }
    } finally {
      lock.unlock();
    }
    throwIfAny(problems);
    return Collections.unmodifiableMap(copy);
  }

  /**
   * Whether the request fits now and no waiting request that precedes it needs any of its
   * resources: one of higher effective priority, or of the same effective priority that came first
   * (a newcomer comes after every waiter).
   */
  private boolean canGrant(Map<String, Integer> request, int priority, @Nullable Waiter self) {
    for (Map.Entry<String, Integer> e : request.entrySet()) {
      Integer capacity = capacities.get(e.getKey());
      // In long: a capacity near Integer.MAX_VALUE must not let the sum wrap around and "fit".
      if (capacity == null || (long) inUse.getOrDefault(e.getKey(), 0) + e.getValue() > capacity) {
        return false;
      }
    }
    if (waiters.isEmpty()) {
      return true;
    }
    long now = System.nanoTime();
    long mine = self == null ? priority : self.effectivePriority(now);
    long myArrival = self == null ? Long.MAX_VALUE : self.arrival;
    for (Waiter w : waiters) {
      if (w == self || !overlaps(w.request, request)) {
        continue;
      }
      long theirs = w.effectivePriority(now);
      if (theirs > mine || (theirs == mine && w.arrival < myArrival)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Wakes, in order of precedence (effective priority, then arrival), the waiting requests that fit
   * in the free units, each counted against those before it; a request that does not fit holds back
   * every later one that needs one of its resources, so that newcomers never take units an earlier
   * request is waiting for. A woken request still re-checks under the lock; one that finds its
   * units taken waits again, and every later release or departure runs this again.
   */
  private void wakeThoseThatFit() {
    if (waiters.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    List<Waiter> ordered = new ArrayList<>(waiters);
    ordered.sort(
        Comparator.<Waiter>comparingLong(w -> -w.effectivePriority(now))
            .thenComparingLong(w -> w.arrival));
    Map<String, Integer> promised = new HashMap<>();
    Set<String> heldBack = new HashSet<>();
    for (Waiter w : ordered) {
      boolean fits = true;
      for (Map.Entry<String, Integer> e : w.request.entrySet()) {
        String r = e.getKey();
        int free = capacities.get(r) - inUse.getOrDefault(r, 0) - promised.getOrDefault(r, 0);
        if (e.getValue() > free || heldBack.contains(r)) {
          fits = false;
          break;
        }
      }
      if (fits) {
        w.request.forEach((r, u) -> promised.merge(r, u, Integer::sum));
        w.ready.signal();
      } else {
        heldBack.addAll(w.request.keySet());
      }
    }
  }

  private Lease grant(String owner, Map<String, Integer> request) {
    Map<String, Integer> mine = inUseByOwner.computeIfAbsent(owner, o -> new HashMap<>());
    request.forEach(
        (r, u) -> {
          int now = inUse.merge(r, u, Integer::sum);
          if (now > capacities.get(r)) {
            // Unreachable by construction (canGrant); fail loudly rather than over-allocate.
            throw new IllegalStateException(
                String.format(
                    Locale.ROOT,
                    "over-allocation of '%s': %d units in use, capacity %d",
                    r,
                    now,
                    capacities.get(r)));
          }
          mine.merge(r, u, Integer::sum);
        });
    return new Lease(this, owner, request);
  }

  private void release(Lease lease) {
    Outcome o;
    lock.lock();
    try {
      Map<String, Integer> mine = inUseByOwner.get(lease.owner);
      lease.units.forEach(
          (r, u) -> {
            decrement(inUse, r, u);
            if (mine != null) {
              decrement(mine, r, u);
            }
          });
      if (mine != null && mine.isEmpty()) {
        inUseByOwner.remove(lease.owner);
      }
      wakeThoseThatFit();
      o = ended(lease, lease.units);
    } finally {
      lock.unlock();
    }
    if (o.inUse != null) {
      for (Observer observer : observers) {
        try {
          observer.released(lease.owner, o.request, o.inUse, o.capacity);
        } catch (OutOfMemoryError | InternalError e) {
          throw e; // the units are back already
        } catch (Throwable e) {
          observerFailed(observer, e);
        }
      }
    }
  }

  /**
   * Adds an observer of grants, releases and conflicts (see {@link Observer}).
   *
   * @param observer the observer
   * @return this pool
   * @throws IllegalArgumentException when it is null
   * @since 0.2.0
   */
  public ResourcePool addObserver(Observer observer) {
    if (observer == null) {
      throw new IllegalArgumentException("observer must not be null");
    }
    observers.add(observer);
    return this;
  }

  /**
   * Removes an observer added before (the first equal one).
   *
   * @param observer the observer
   * @return whether it was there
   * @since 0.2.0
   */
  public boolean removeObserver(Observer observer) {
    return observers.remove(observer);
  }

  private static void observerFailed(Observer observer, Throwable e) {
    System.getLogger(ResourcePool.class.getName())
        .log(System.Logger.Level.WARNING, "resource pool observer " + observer + " threw", e);
  }

  private static void decrement(Map<String, Integer> counts, String resource, int units) {
    Integer left = counts.computeIfPresent(resource, (r, c) -> c - units);
    if (left == null || left < 0) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT, "released %d units of '%s' that were not held", units, resource));
    }
    if (left == 0) {
      counts.remove(resource);
    }
  }

  private void checkNoConflict(String resource, int capacity, String who, List<String> problems) {
    Integer existing = capacities.get(resource);
    if (existing != null && existing != capacity && explicit.contains(resource)) {
      problems.add(
          String.format(
              Locale.ROOT,
              "resource '%s' already has capacity %d in this pool but %s %d;"
                  + " a capacity is set once per pool",
              resource,
              existing,
              who,
              capacity));
    }
  }

  /**
   * A capacity that replaces a default one must still fit every task declared so far (and this
   * declaration's own) and the units in use, so that no declared task becomes impossible and
   * nothing is ever over capacity.
   */
  private void checkNotBelowUse(
      String resource, int capacity, Map<String, Integer> ownNeeds, List<String> problems) {
    int need =
        Math.max(largestDeclaredNeed.getOrDefault(resource, 0), ownNeeds.getOrDefault(resource, 0));
    for (Waiter w : waiters) {
      need = Math.max(need, w.request.getOrDefault(resource, 0));
    }
    int used = inUse.getOrDefault(resource, 0);
    if (capacity < need || capacity < used) {
      problems.add(
          String.format(
              Locale.ROOT,
              "capacity %d of '%s' is too small: a declared task or waiting request needs %d units"
                  + " and %d are in use",
              capacity,
              resource,
              need,
              used));
    }
  }

  private static void checkCapacity(
      @Nullable String resource, @Nullable Integer capacity, List<String> problems) {
    if (resource == null || resource.isBlank()) {
      problems.add(
          "resource names must be non-blank but found "
              + (resource == null ? "null" : "'" + resource + "'"));
    } else if (capacity == null || capacity < 1) {
      problems.add(
          String.format(
              Locale.ROOT, "capacity of '%s' must be at least 1 but was %s", resource, capacity));
    }
  }

  private static boolean overlaps(Map<String, Integer> a, Map<String, Integer> b) {
    for (String r : a.keySet()) {
      if (b.containsKey(r)) {
        return true;
      }
    }
    return false;
  }

  private static void throwIfAny(List<String> problems) {
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  private static Map<String, Integer> sortedCopy(Map<String, Integer> m) {
    return m.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(m));
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  /** A request waiting for units, woken through its own condition. */
  private static final class Waiter {
    static final Comparator<Waiter> ORDER =
        Comparator.<Waiter>comparingInt(w -> w.priority)
            .reversed()
            .thenComparingLong(w -> w.arrival);

    final Map<String, Integer> request;
    final int priority;
    final long arrival;
    final long arrivalNanos;
    final Condition ready;

    Waiter(
        Map<String, Integer> request,
        int priority,
        long arrival,
        long arrivalNanos,
        Condition ready) {
      this.request = request;
      this.priority = priority;
      this.arrival = arrival;
      this.arrivalNanos = arrivalNanos;
      this.ready = ready;
    }

    /** The priority plus one level per {@link #AGEING_STEP} waited, so that none starves. */
    long effectivePriority(long now) {
      return priority + Math.max(0, now - arrivalNanos) / AGEING_STEP.toNanos();
    }
  }

  /**
   * Units held from a {@link ResourcePool}; {@link #close()} gives them back exactly once.
   *
   * <p>Thread-safe: closing concurrently from several threads releases once.
   *
   * @since 0.1.0
   */
  public static final class Lease implements AutoCloseable {
    private final ResourcePool pool;
    private final String owner;
    private final Map<String, Integer> units;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(ResourcePool pool, String owner, Map<String, Integer> units) {
      this.pool = pool;
      this.owner = owner;
      this.units = units;
    }

    /**
     * {@return the units this lease took, as resource name to units, sorted by name; unchanged
     * after release (see {@link #isReleased()})}
     */
    public Map<String, Integer> units() {
      return units;
    }

    /**
     * {@return who holds the lease: the owner named at acquisition, e.g. a pattern name, or {@value
     * ResourcePool#DEFAULT_OWNER}}
     */
    public String owner() {
      return owner;
    }

    /** {@return whether {@link #close()} has given the units back; once true, stays true} */
    public boolean isReleased() {
      return released.get();
    }

    /**
     * Gives the units back if this lease still holds them; never blocks on interrupt.
     *
     * @return whether this call released them (false when already released)
     */
    public boolean release() {
      if (released.compareAndSet(false, true)) {
        pool.release(this);
        return true;
      }
      return false;
    }

    /** Same as {@link #release()}; idempotent. */
    @Override
    public void close() {
      release();
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "Lease[owner=%s, units=%s%s]",
          owner,
          units,
          released.get() ? ", released" : "");
    }
  }
}
