package io.ndp.spring.boot;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.core.Ndp;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** What the starter's tests share: a runner with the three auto-configurations, and shortcuts. */
final class Apps {
  private Apps() {}

  static ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                NdpAutoConfiguration.class,
                NdpActuatorAutoConfiguration.class,
                NdpMetricsAutoConfiguration.class));
  }

  /** The properties of {@code ndp.patterns[index]}: a sequential pattern over these steps. */
  static String[] sequential(int index, String name, String... steps) {
    List<String> p = new ArrayList<>();
    String prefix = "ndp.patterns[" + index + "].";
    p.add(prefix + "type=sequential");
    p.add(prefix + "name=" + name);
    p.add(prefix + "description=" + name + " for tests");
    for (int i = 0; i < steps.length; i++) {
      p.add(prefix + "parameters.steps[" + i + "]=" + steps[i]);
    }
    return p.toArray(String[]::new);
  }

  static String[] concat(String[]... groups) {
    List<String> all = new ArrayList<>();
    for (String[] g : groups) {
      all.addAll(List.of(g));
    }
    return all.toArray(String[]::new);
  }

  static PatternResult run(Ndp ndp, String domain, Object payload) {
    return ndp.executor()
        .executeBestPattern(PatternContext.builder(domain, "sequential").payload(payload).build());
  }

  /** Every message in a failure's cause chain, so a test can look for the property's name. */
  static String messages(Throwable failure) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append('\n');
    }
    return sb.toString();
  }
}
