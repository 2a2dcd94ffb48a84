/**
 * AWS clients created on first use, one per service and region, and closed together:
 * `cached('s3', (region) => new S3Client({ region }))` gives a function of the region.
 */
export function clientCache() {
  const made = new Map<string, { destroy(): void }>();
  const cached =
    <C extends { destroy(): void }>(service: string, make: (region: string) => C) =>
    (region: string): C => {
      const key = `${service}:${region}`;
      let client = made.get(key) as C | undefined;
      if (!client) {
        client = make(region);
        made.set(key, client);
      }
      return client;
    };
  const destroy = () => {
    for (const client of made.values()) client.destroy();
    made.clear();
  };
  return { cached, destroy };
}
