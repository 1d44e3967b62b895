package io.ndp.simulator;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Draws the mean cumulative regret per policy of one scenario as a PNG line chart. */
final class RegretChart {

  /** Points per line: enough for a smooth curve, few enough for a small file. */
  private static final int POINTS = 200;

  private RegretChart() {}

  /**
   * Writes the chart.
   *
   * @param scenario the scenario the curves belong to
   * @param curves policy name to its cumulative regret after each run, averaged over the seeds
   * @param png where to write it
   * @throws IOException when the file cannot be written
   */
  static void write(Scenario scenario, Map<String, double[]> curves, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection data = new XYSeriesCollection();
    for (Map.Entry<String, double[]> e : curves.entrySet()) {
      double[] curve = e.getValue();
      XYSeries line = new XYSeries(e.getKey());
      int step = Math.max(1, curve.length / POINTS);
      for (int run = step - 1; run < curve.length; run += step) {
        line.add(run + 1, curve[run]);
      }
      data.addSeries(line);
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            "Cumulative regret, " + scenario.name() + " (" + scenario.description() + ")",
            "run",
            "cumulative regret (mean over seeds)",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    Color[] colours = {
      new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C), new Color(0x9467BD)
    };
    for (int i = 0; i < data.getSeriesCount(); i++) {
      plot.getRenderer().setSeriesPaint(i, colours[i % colours.length]);
      plot.getRenderer().setSeriesStroke(i, new BasicStroke(2f));
    }
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 560);
  }

  /** The mean of the simulations' cumulative regret after each run. */
  static double[] mean(List<Simulation.Result> results) {
    double[] sum = new double[results.get(0).cumulativeRegret().length];
    for (Simulation.Result r : results) {
      double[] c = r.cumulativeRegret();
      for (int i = 0; i < sum.length; i++) {
        sum[i] += c[i];
      }
    }
    for (int i = 0; i < sum.length; i++) {
      sum[i] /= results.size();
    }
    return sum;
  }
}
