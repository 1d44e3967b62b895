package io.ndp.patterns.meta;

import io.ndp.api.Attempt;
import io.ndp.api.DelegateDirectory;
import io.ndp.api.ExecutionScope;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.api.PatternResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A test-only {@link ExecutionScope}: a real {@link DelegateDirectory}, a real thread pool (shut
 * down by {@link #close()}), and a nested-execution stub the test controls. Every nested context is
 * recorded.
 *
 * <p>Thread-safe.
 */
final class TestScope implements ExecutionScope, AutoCloseable {

  /** What the stub does with a nested context. */
  @FunctionalInterface
  interface Nested {
    PatternResult execute(PatternContext nested, TestScope nestedScope);
  }

  private final DelegateDirectory delegates;
  private final Executor executor;
  private final @Nullable ExecutorService ownedPool;
  private final Optional<Instant> deadline;
  private final int depth;
  private final List<PatternContext> nestedContexts;
  private volatile Nested nested;

  /** A scope with a cached pool, no deadline, depth 0, and no pattern for nested contexts. */
  TestScope() {
    this(Executors.newCachedThreadPool());
  }

  /** A scope running work on {@code executor} (not shut down by {@link #close()}). */
  TestScope(Executor executor) {
    this(
        new DelegateDirectory(),
        executor,
        executor instanceof ExecutorService s ? s : null,
        Optional.empty(),
        0,
        new CopyOnWriteArrayList<>(),
        (ctx, scope) -> failed("no pattern serves agent type '" + ctx.agentType() + "'"));
  }

  private TestScope(
      DelegateDirectory delegates,
      Executor executor,
      @Nullable ExecutorService ownedPool,
      Optional<Instant> deadline,
      int depth,
      List<PatternContext> nestedContexts,
      Nested nested) {
    this.delegates = delegates;
    this.executor = executor;
    this.ownedPool = ownedPool;
    this.deadline = deadline;
    this.depth = depth;
    this.nestedContexts = nestedContexts;
    this.nested = nested;
  }

  /** Returns a scope sharing everything but with a deadline {@code timeout} from now. */
  TestScope withTimeout(Duration timeout) {
    return withDeadline(Instant.now().plus(timeout));
  }

  /** Returns a scope sharing everything but with this deadline. */
  TestScope withDeadline(Instant deadline) {
    return new TestScope(
        delegates, executor, null, Optional.of(deadline), depth, nestedContexts, nested);
  }

  /** Sets what nested contexts do. */
  TestScope onNested(Nested nested) {
    this.nested = nested;
    return this;
  }

  /**
   * Makes nested contexts behave like the executor: a context whose agent type {@code pattern}
   * serves runs {@code pattern} one level deeper, up to {@code maxDepth}, after which the result is
   * the executor's depth-limit failure.
   */
  TestScope nestInto(Pattern pattern, int maxDepth) {
    return onNested(
        (ctx, child) -> {
          if (child.depth() > maxDepth) {
            return failed(
                String.format(
                    Locale.ROOT,
                    "nesting depth limit %d reached at domain '%s' (agent type '%s')",
                    maxDepth,
                    ctx.domain(),
                    ctx.agentType()));
          }
          if (!pattern.agentTypes().contains(ctx.agentType()) || !pattern.match(ctx).isMatch()) {
            return failed("no pattern serves agent type '" + ctx.agentType() + "'");
          }
          PatternOutcome outcome = pattern.execute(ctx, child);
          return outcome.isSuccess()
              ? succeeded(pattern.name(), outcome.output())
              : new PatternResult(
                  false,
                  "'" + pattern.name() + "' " + outcome.status() + ": " + outcome.message(),
                  null,
                  null,
                  List.of(
                      new Attempt(
                          pattern.name(),
                          false,
                          outcome.status(),
                          outcome.message(),
                          outcome.cause(),
                          Duration.ZERO)),
                  Map.of(),
                  Duration.ZERO);
        });
  }

  /** Returns every nested context handed to {@link #executeBestPattern}, in call order. */
  List<PatternContext> nestedContexts() {
    return nestedContexts;
  }

  static PatternResult succeeded(String pattern, @Nullable Object output) {
    return new PatternResult(
        true,
        "ok",
        pattern,
        output,
        List.of(new Attempt(pattern, false, OutcomeStatus.SUCCESS, "ok", null, Duration.ZERO)),
        Map.of(),
        Duration.ZERO);
  }

  static PatternResult failed(String message) {
    return new PatternResult(false, message, null, null, List.of(), Map.of(), Duration.ZERO);
  }

  @Override
  public DelegateDirectory delegates() {
    return delegates;
  }

  @Override
  public Executor executor() {
    return executor;
  }

  @Override
  public Optional<Instant> deadline() {
    return deadline;
  }

  @Override
  public int depth() {
    return depth;
  }

  @Override
  public PatternResult executeBestPattern(PatternContext context) {
    nestedContexts.add(context);
    TestScope child =
        new TestScope(
            delegates,
            executor,
            null,
            context.findTimeout().map(t -> Instant.now().plus(t)),
            depth + 1,
            nestedContexts,
            nested);
    return nested.execute(context, child);
  }

  /** Shuts the pool down and checks that no task outlived the test. */
  @Override
  public void close() throws InterruptedException {
    if (ownedPool != null) {
      ownedPool.shutdownNow();
      if (!ownedPool.awaitTermination(10, TimeUnit.SECONDS)) {
        throw new AssertionError("pool threads still running 10 s after shutdownNow");
      }
    }
  }
}
