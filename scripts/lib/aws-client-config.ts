/** The configuration of an AWS SDK client of the project's tools in `region`. */
export function awsClientConfig(region: string): { region: string } {
  return { region };
}
