// Prometheus text exposition for the few counters and gauges the daemon keeps. Written by hand on purpose: the
// format is a handful of lines, and a full client library (default process metrics, registries, cluster support)
// would cost more memory than everything it would measure — idle RSS is one of our published targets.

type Labels = Record<string, string>;

interface MetricFamily {
  help: string;
  type: "counter" | "gauge";
  values: Map<string, { labels: Labels; value: number }>;
  collect?: () => { labels?: Labels; value: number }[];
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return "";
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k] ?? "")}"`).join(",")}}`;
}

export class Metrics {
  private readonly families = new Map<string, MetricFamily>();

  counter(name: string, help: string): (labels?: Labels, by?: number) => void {
    const family = this.family(name, help, "counter");
    return (labels = {}, by = 1) => {
      const key = labelKey(labels);
      const entry = family.values.get(key);
      if (entry) entry.value += by;
      else family.values.set(key, { labels, value: by });
    };
  }

  /** A gauge read when /metrics is scraped. */
  gauge(name: string, help: string, collect: () => number | { labels?: Labels; value: number }[]): void {
    this.collected(name, help, "gauge", collect);
  }

  /** A counter kept by another component, read when /metrics is scraped. */
  counterFrom(name: string, help: string, collect: () => number | { labels?: Labels; value: number }[]): void {
    this.collected(name, help, "counter", collect);
  }

  private collected(name: string, help: string, type: MetricFamily["type"], collect: () => number | { labels?: Labels; value: number }[]): void {
    const family = this.family(name, help, type);
    family.collect = () => {
      const v = collect();
      return typeof v === "number" ? [{ value: v }] : v;
    };
  }

  value(name: string, labels: Labels = {}): number {
    return this.families.get(name)?.values.get(labelKey(labels))?.value ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      const samples = family.collect ? family.collect() : [...family.values.values()];
      for (const sample of samples) lines.push(`${name}${formatLabels(sample.labels ?? {})} ${sample.value}`);
    }
    return `${lines.join("\n")}\n`;
  }

  private family(name: string, help: string, type: MetricFamily["type"]): MetricFamily {
    let family = this.families.get(name);
    if (!family) {
      family = { help, type, values: new Map() };
      this.families.set(name, family);
    }
    return family;
  }
}
