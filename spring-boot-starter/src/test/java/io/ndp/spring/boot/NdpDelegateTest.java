package io.ndp.spring.boot;

import static io.ndp.spring.boot.Apps.messages;
import static io.ndp.spring.boot.Apps.run;
import static io.ndp.spring.boot.Apps.sequential;
import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.Delegate;
import io.ndp.api.PatternResult;
import io.ndp.core.Ndp;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

class NdpDelegateTest {

  /** A Delegate bean named by its annotation. */
  @NdpDelegate("named")
  static class Named implements Delegate {
    @Override
    public Object execute(Object input) {
      return input + ">named";
    }
  }

  /** A Delegate bean named by its bean name. */
  @Component("byBeanName")
  @NdpDelegate
  static class ByBeanName implements Delegate {
    @Override
    public Object execute(Object input) {
      return input + ">byBeanName";
    }
  }

  /** A plain Delegate bean without the annotation: not registered. */
  static class Unannotated implements Delegate {
    @Override
    public Object execute(Object input) {
      return "unannotated";
    }
  }

  /** Methods of one parameter, of none, and named by the method. */
  static class Methods {
    @NdpDelegate("validate")
    String validate(String input) {
      return input + ">validate";
    }

    @NdpDelegate("stamp")
    String stamp() {
      return "stamped";
    }

    @NdpDelegate
    String enrich(Object input) {
      return input + ">enrich";
    }

    @NdpDelegate("io")
    String io(Object input) throws IOException {
      throw new IOException("disk gone");
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class App {
    @Bean
    Named named() {
      return new Named();
    }

    @Bean("byBeanName")
    ByBeanName byBeanName() {
      return new ByBeanName();
    }

    @Bean
    Unannotated unannotated() {
      return new Unannotated();
    }

    @Bean
    Methods methods() {
      return new Methods();
    }
  }

  @Test
  void annotatedBeansAndMethods_runWhenAPatternExecutes() {
    Apps.runner()
        .withUserConfiguration(App.class)
        .withPropertyValues(sequential(0, "flow", "validate", "enrich", "named", "byBeanName"))
        .run(
            context -> {
              Ndp ndp = context.getBean(Ndp.class);
              assertThat(ndp.delegates().names())
                  .containsExactlyInAnyOrder(
                      "named", "byBeanName", "validate", "stamp", "enrich", "io");
              PatternResult r = run(ndp, "orders", "in");
              assertThat(r.success()).as(r.message()).isTrue();
              assertThat(r.output()).isEqualTo("in>validate>enrich>named>byBeanName");
            });
  }

  @Test
  void methodWithoutParameter_ignoresTheInput() {
    Apps.runner()
        .withUserConfiguration(App.class)
        .withPropertyValues(sequential(0, "flow", "stamp", "validate"))
        .run(
            context -> {
              PatternResult r = run(context.getBean(Ndp.class), "orders", "ignored");
              assertThat(r.output()).isEqualTo("stamped>validate");
            });
  }

  @Test
  void checkedExceptionOfAMethod_failsTheStepWithIt() {
    Apps.runner()
        .withUserConfiguration(App.class)
        .withPropertyValues(sequential(0, "flow", "io"))
        .run(
            context -> {
              PatternResult r = run(context.getBean(Ndp.class), "orders", "x");
              assertThat(r.success()).isFalse();
              assertThat(r.attempts().get(0).error()).isInstanceOf(IOException.class);
              assertThat(r.message()).contains("disk gone");
            });
  }

  @Test
  void inputOfTheWrongType_failsTheStepNamingBeanAndMethod() {
    Apps.runner()
        .withUserConfiguration(App.class)
        .withPropertyValues(sequential(0, "flow", "validate"))
        .run(
            context -> {
              PatternResult r = run(context.getBean(Ndp.class), "orders", 42);
              assertThat(r.success()).isFalse();
              assertThat(r.message()).contains("bean 'methods' method validate");
            });
  }

  static class TwoParameters {
    @NdpDelegate("pair")
    String pair(String a, String b) {
      return a + b;
    }
  }

  @Test
  void methodOfTwoParameters_failsStartupNamingBeanAndMethod() {
    Apps.runner()
        .withBean("twoParams", TwoParameters.class, TwoParameters::new)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure()))
                  .contains("bean 'twoParams' method pair(String, String)")
                  .contains("must take one parameter (the input) or none, but takes 2");
            });
  }

  static class Duplicate {
    @NdpDelegate("validate")
    String again(Object in) {
      return "again";
    }
  }

  @Test
  void duplicateName_failsStartupNamingBoth() {
    Apps.runner()
        .withUserConfiguration(App.class)
        .withBean("duplicate", Duplicate.class, Duplicate::new)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure()))
                  .contains("@NdpDelegate 'validate' is declared twice")
                  .contains("bean 'methods' method validate(String)")
                  .contains("bean 'duplicate' method again(Object)");
            });
  }

  @NdpDelegate("notADelegate")
  static class NotADelegate {}

  @Test
  void annotatedClassThatIsNoDelegate_failsStartupNamingTheBean() {
    Apps.runner()
        .withBean("odd", NotADelegate.class, NotADelegate::new)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure()))
                  .contains("@NdpDelegate on bean 'odd'")
                  .contains("must implement io.ndp.api.Delegate");
            });
  }

  @Test
  void nameTheRuntimeHasAlready_failsStartupNamingTheBean() {
    Apps.runner()
        .withBean(
            Ndp.class,
            () -> {
              Ndp ndp = Ndp.builder().build();
              ndp.delegates().register("validate", in -> in);
              return ndp;
            })
        .withUserConfiguration(App.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure()))
                  .contains("@NdpDelegate 'validate' of bean 'methods' method validate(String)")
                  .contains("has a delegate of that name already");
            });
  }
}
