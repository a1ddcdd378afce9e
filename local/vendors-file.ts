/** Where `npm start` records the fake vendors' URL and credentials in the data folder (read by `npm run demo:sync`). */
export const VENDORS_FILE = 'vendors.json';
