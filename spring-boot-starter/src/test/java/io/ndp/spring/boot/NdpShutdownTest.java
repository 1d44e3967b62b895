package io.ndp.spring.boot;

import static io.ndp.spring.boot.Apps.run;
import static io.ndp.spring.boot.Apps.sequential;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ndp.api.PatternResult;
import io.ndp.api.RuntimeClosedException;
import io.ndp.core.Ndp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class NdpShutdownTest {
  private static final int EXECUTIONS = 4;

  private final ExecutorService callers = Executors.newFixedThreadPool(EXECUTIONS);

  @AfterEach
  void stopCallers() {
    callers.shutdownNow();
  }

  /** A step that blocks until the test releases it. */
  @Configuration(proxyBeanMethods = false)
  static class Blocking {
    final CountDownLatch started = new CountDownLatch(EXECUTIONS);
    final CountDownLatch release = new CountDownLatch(1);

    @NdpDelegate("block")
    String block(Object in) throws InterruptedException {
      started.countDown();
      release.await();
      return in + ">done";
    }
  }

  /**
   * Stands for the web server: stops at the graceful-shutdown phase and notes whether the runtime
   * was still open then; and a bean that notes whether it was closed when beans are destroyed.
   */
  @Configuration(proxyBeanMethods = false)
  static class Witnesses {
    final AtomicReference<Boolean> closedWhenServerStopped = new AtomicReference<>();
    final AtomicReference<Boolean> closedWhenBeansDestroyed = new AtomicReference<>();

    @Bean
    SmartLifecycle fakeWebServer(ObjectProvider<Ndp> ndp) {
      return new SmartLifecycle() {
        private volatile boolean running;

        @Override
        public void start() {
          running = true;
        }

        @Override
        public void stop() {
          closedWhenServerStopped.set(ndp.getObject().isClosed());
          running = false;
        }

        @Override
        public boolean isRunning() {
          return running;
        }

        @Override
        public int getPhase() {
          return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE;
        }
      };
    }

    @Bean
    DisposableBean destroyedBean(ObjectProvider<Ndp> ndp) {
      return () -> closedWhenBeansDestroyed.set(ndp.getObject().isClosed());
    }
  }

  private List<Future<PatternResult>> startExecutions(Ndp ndp) {
    List<Future<PatternResult>> futures = new ArrayList<>();
    for (int i = 0; i < EXECUTIONS; i++) {
      String payload = "job-" + i;
      futures.add(callers.submit(() -> run(ndp, "orders", payload)));
    }
    return futures;
  }

  @Test
  void closingTheContext_drainsInFlightExecutions_thenRefusesNewOnes() {
    Apps.runner()
        .withUserConfiguration(Blocking.class, Witnesses.class)
        .withPropertyValues(sequential(0, "slow-flow", "block"))
        .run(
            context -> {
              Ndp ndp = context.getBean(Ndp.class);
              Blocking blocking = context.getBean(Blocking.class);
              Witnesses witnesses = context.getBean(Witnesses.class);
              List<Future<PatternResult>> futures = startExecutions(ndp);
              assertThat(blocking.started.await(30, TimeUnit.SECONDS)).isTrue();

              Thread closer = new Thread(context::close, "context-closer");
              closer.start();
              // The runtime refuses new work at once, but close() waits for the four.
              await().atMost(Duration.ofSeconds(30)).until(ndp::isClosed);
              assertThat(closer.isAlive()).as("still draining").isTrue();
              assertThat(futures).noneMatch(Future::isDone);
              assertThatThrownBy(() -> run(ndp, "orders", "late"))
                  .isInstanceOf(RuntimeClosedException.class)
                  .hasMessageContaining("closed");

              blocking.release.countDown();
              closer.join(TimeUnit.SECONDS.toMillis(30));
              assertThat(closer.isAlive()).isFalse();
              for (int i = 0; i < EXECUTIONS; i++) {
                PatternResult r = futures.get(i).get(30, TimeUnit.SECONDS);
                assertThat(r.success()).as(r.message()).isTrue();
                assertThat(r.output()).isEqualTo("job-" + i + ">done");
              }
              assertThat(ndp.isClosed()).isTrue();
              assertThat(witnesses.closedWhenServerStopped.get())
                  .as("the web server stops before the runtime closes")
                  .isFalse();
              assertThat(witnesses.closedWhenBeansDestroyed.get())
                  .as("the runtime is closed before any bean is destroyed")
                  .isTrue();
            });
  }

  @Test
  void drainTimeout_boundsHowLongClosingWaits() {
    Apps.runner()
        .withUserConfiguration(Blocking.class)
        .withPropertyValues(sequential(0, "slow-flow", "block"))
        .withPropertyValues("ndp.drain-timeout=100ms")
        .run(
            context -> {
              Ndp ndp = context.getBean(Ndp.class);
              Blocking blocking = context.getBean(Blocking.class);
              List<Future<PatternResult>> futures = startExecutions(ndp);
              assertThat(blocking.started.await(30, TimeUnit.SECONDS)).isTrue();

              Thread closer = new Thread(context::close, "context-closer");
              closer.start();
              closer.join(TimeUnit.SECONDS.toMillis(30));
              assertThat(closer.isAlive()).as("gave up waiting after 100 ms").isFalse();
              assertThat(futures).noneMatch(Future::isDone);
              assertThat(ndp.isClosed()).isTrue();
              blocking.release.countDown();
              for (Future<PatternResult> f : futures) {
                f.get(30, TimeUnit.SECONDS); // they end, whatever their result
              }
            });
  }

  @Test
  void lifecyclePhase_isBelowTheWebServersShutdownPhases() {
    // Boot's servlet and reactive WebServerStartStopLifecycle stop at SMART_LIFECYCLE_PHASE - 1024.
    assertThat(NdpLifecycle.PHASE)
        .isLessThan(WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 1024);
  }
}
