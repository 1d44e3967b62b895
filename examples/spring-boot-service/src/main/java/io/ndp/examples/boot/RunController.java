package io.ndp.examples.boot;

import io.ndp.api.Attempt;
import io.ndp.api.InvalidContextException;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.UnknownAgentTypeException;
import io.ndp.core.PatternExecutor;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /run} runs a context with the best learned pattern; {@code GET /orders} lists what
 * was stored. 200 when the execution succeeded, 422 when every attempt failed (the message says
 * why), 400 for a malformed context, 404 for an agent type no pattern serves.
 */
@RestController
public class RunController {

  /**
   * What to run.
   *
   * @param domain the context's domain, e.g. {@code orders}
   * @param agentType the agent type, e.g. {@code sequential}
   * @param payload the first step's input
   */
  public record RunRequest(
      @Nullable String domain, @Nullable String agentType, @Nullable Object payload) {}

  /**
   * One attempt of the execution.
   *
   * @param pattern the pattern tried
   * @param status its outcome
   * @param message what it said
   * @param durationMillis how long it took
   */
  public record AttemptView(String pattern, String status, String message, double durationMillis) {}

  /**
   * What the execution did.
   *
   * @param success whether it succeeded
   * @param chosenPattern the pattern that produced the result, if any
   * @param output the last step's output
   * @param message what happened
   * @param attempts every attempt, in order
   */
  public record RunResponse(
      boolean success,
      @Nullable String chosenPattern,
      @Nullable Object output,
      String message,
      List<AttemptView> attempts) {}

  private final PatternExecutor executor;
  private final OrderBook book;

  /**
   * A controller over the starter's executor.
   *
   * @param executor the runtime's executor (a bean of the starter)
   * @param book the stored orders
   */
  public RunController(PatternExecutor executor, OrderBook book) {
    this.executor = executor;
    this.book = book;
  }

  /**
   * Runs the context.
   *
   * @param request what to run
   * @return the result: 200 on success, 422 when every attempt failed
   */
  @PostMapping("/run")
  public ResponseEntity<RunResponse> run(@RequestBody RunRequest request) {
    // The client picks domain and agent type, never the steps: a pattern runs all of its own,
    // so every order is validated before it is stored.
    PatternContext context =
        PatternContext.builder(request.domain(), request.agentType())
            .payload(request.payload())
            .build();
    PatternResult result = executor.executeBestPattern(context);
    List<AttemptView> attempts =
        result.attempts().stream()
            .filter(a -> a.kind() != Attempt.Kind.SKIPPED)
            .map(
                a ->
                    new AttemptView(
                        a.patternName(),
                        a.status().toString(),
                        a.message(),
                        a.duration().toNanos() / 1e6))
            .toList();
    RunResponse body =
        new RunResponse(
            result.success(), result.chosenPattern(), result.output(), result.message(), attempts);
    return ResponseEntity.status(result.success() ? HttpStatus.OK : HttpStatus.UNPROCESSABLE_ENTITY)
        .body(body);
  }

  /** {@return the stored orders, by id} */
  @GetMapping("/orders")
  public Map<String, Map<String, Object>> orders() {
    return book.all();
  }

  @ExceptionHandler(InvalidContextException.class)
  ResponseEntity<Map<String, String>> invalid(InvalidContextException e) {
    return ResponseEntity.badRequest().body(Map.of("error", String.valueOf(e.getMessage())));
  }

  @ExceptionHandler(UnknownAgentTypeException.class)
  ResponseEntity<Map<String, String>> unknown(UnknownAgentTypeException e) {
    return ResponseEntity.status(HttpStatus.NOT_FOUND)
        .body(Map.of("error", String.valueOf(e.getMessage())));
  }
}
