/** What a connector's configuration tells its normaliser beyond the records themselves. */
export interface NormaliserOptions {
  /**
   * Workday: the name of the company the tenant is (a Workday tenant is one employer), given to every worker's
   * person as `employer`. Absent: no employer (it is not guessed from the tenant name).
   */
  employer?: string;
  /**
   * ISO 3166-1 alpha-2 region for phone numbers of records that name no country (the company's home country).
   * Absent: such numbers are kept only when written internationally (`+44 …`).
   */
  defaultCountry?: string;
}
