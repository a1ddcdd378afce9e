/**
 * Countries as ISO 3166-1 alpha-2 codes, from whatever a vendor's country field holds: the alpha-2 or alpha-3 code
 * ("DE", "deu"), the English name ("Germany", "United States"), the name in the country's or another major language
 * ("Deutschland", "Allemagne", "España"), or a common alias or abbreviation ("USA", "U.S.", "UK", "Holland").
 *
 * Why no library: the code list is the one thing that has to be written down (249 codes and their alpha-3 forms,
 * about 2 KB); the names come from the Unicode CLDR through `Intl.DisplayNames`, which Node ships with its full ICU,
 * in every language it knows, kept current with each Node release. `i18n-iso-countries`, the well-kept npm package,
 * carries the same CLDR names as one JSON file per language (native names would mean bundling a dozen of them) and
 * would add a dependency for what the runtime already has. Names the CLDR has since changed (Turkey → Türkiye,
 * Czech Republic → Czechia, Swaziland → Eswatini) and everyday aliases are in the table below, so that recognising a
 * name never depends on the Node version; the result is always a code, which does not change.
 */

/** ISO 3166-1: every officially assigned alpha-2 code followed by its alpha-3 code. */
const ISO_CODES =
  'ADAND AEARE AFAFG AGATG AIAIA ALALB AMARM AOAGO AQATA ARARG ASASM ATAUT AUAUS AWABW AXALA AZAZE BABIH BBBRB ' +
  'BDBGD BEBEL BFBFA BGBGR BHBHR BIBDI BJBEN BLBLM BMBMU BNBRN BOBOL BQBES BRBRA BSBHS BTBTN BVBVT BWBWA BYBLR ' +
  'BZBLZ CACAN CCCCK CDCOD CFCAF CGCOG CHCHE CICIV CKCOK CLCHL CMCMR CNCHN COCOL CRCRI CUCUB CVCPV CWCUW CXCXR ' +
  'CYCYP CZCZE DEDEU DJDJI DKDNK DMDMA DODOM DZDZA ECECU EEEST EGEGY EHESH ERERI ESESP ETETH FIFIN FJFJI FKFLK ' +
  'FMFSM FOFRO FRFRA GAGAB GBGBR GDGRD GEGEO GFGUF GGGGY GHGHA GIGIB GLGRL GMGMB GNGIN GPGLP GQGNQ GRGRC GSSGS ' +
  'GTGTM GUGUM GWGNB GYGUY HKHKG HMHMD HNHND HRHRV HTHTI HUHUN IDIDN IEIRL ILISR IMIMN ININD IOIOT IQIRQ IRIRN ' +
  'ISISL ITITA JEJEY JMJAM JOJOR JPJPN KEKEN KGKGZ KHKHM KIKIR KMCOM KNKNA KPPRK KRKOR KWKWT KYCYM KZKAZ LALAO ' +
  'LBLBN LCLCA LILIE LKLKA LRLBR LSLSO LTLTU LULUX LVLVA LYLBY MAMAR MCMCO MDMDA MEMNE MFMAF MGMDG MHMHL MKMKD ' +
  'MLMLI MMMMR MNMNG MOMAC MPMNP MQMTQ MRMRT MSMSR MTMLT MUMUS MVMDV MWMWI MXMEX MYMYS MZMOZ NANAM NCNCL NENER ' +
  'NFNFK NGNGA NINIC NLNLD NONOR NPNPL NRNRU NUNIU NZNZL OMOMN PAPAN PEPER PFPYF PGPNG PHPHL PKPAK PLPOL PMSPM ' +
  'PNPCN PRPRI PSPSE PTPRT PWPLW PYPRY QAQAT REREU ROROU RSSRB RURUS RWRWA SASAU SBSLB SCSYC SDSDN SESWE SGSGP ' +
  'SHSHN SISVN SJSJM SKSVK SLSLE SMSMR SNSEN SOSOM SRSUR SSSSD STSTP SVSLV SXSXM SYSYR SZSWZ TCTCA TDTCD TFATF ' +
  'TGTGO THTHA TJTJK TKTKL TLTLS TMTKM TNTUN TOTON TRTUR TTTTO TVTUV TWTWN TZTZA UAUKR UGUGA UMUMI USUSA UYURY ' +
  'UZUZB VAVAT VCVCT VEVEN VGVGB VIVIR VNVNM VUVUT WFWLF WSWSM YEYEM YTMYT ZAZAF ZMZMB ZWZWE';

/**
 * Names and abbreviations people use that the CLDR does not list (in any of the languages below) or no longer lists,
 * written as the lookup key (lower case, no accents, no dots, "and" for "&"). Parts of a country (England, Scotland)
 * are their country: a CRM's country field is the sovereign state for phone regions and matching.
 */
const ALIASES: Readonly<Record<string, string>> = {
  'u s a': 'US',
  'united states of america': 'US',
  america: 'US',
  'u s': 'US',
  uk: 'GB',
  'u k': 'GB',
  'great britain': 'GB',
  britain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  'united kingdom of great britain and northern ireland': 'GB',
  holland: 'NL',
  'korea republic of': 'KR',
  'republic of korea': 'KR',
  'korea south': 'KR',
  'korea democratic peoples republic of': 'KP',
  'korea north': 'KP',
  'russian federation': 'RU',
  'czech republic': 'CZ',
  turkey: 'TR',
  'ivory coast': 'CI',
  'cote divoire': 'CI',
  burma: 'MM',
  swaziland: 'SZ',
  macedonia: 'MK',
  'republic of macedonia': 'MK',
  'vatican city': 'VA',
  vatican: 'VA',
  uae: 'AE',
  emirates: 'AE',
  'viet nam': 'VN',
  'lao peoples democratic republic': 'LA',
  'iran islamic republic of': 'IR',
  'syrian arab republic': 'SY',
  'taiwan province of china': 'TW',
  'republic of china': 'TW',
  'hong kong sar': 'HK',
  'hong kong sar china': 'HK',
  'macao sar china': 'MO',
  macau: 'MO',
  'cape verde': 'CV',
  'east timor': 'TL',
  'state of palestine': 'PS',
  'palestine state of': 'PS',
  'bolivia plurinational state of': 'BO',
  'venezuela bolivarian republic of': 'VE',
  'tanzania united republic of': 'TZ',
  'moldova republic of': 'MD',
  'micronesia federated states of': 'FM',
  'congo democratic republic of the': 'CD',
  'democratic republic of the congo': 'CD',
  drc: 'CD',
  'dr congo': 'CD',
  'republic of the congo': 'CG',
  'congo republic': 'CG',
  prc: 'CN',
  'peoples republic of china': 'CN',
  'mainland china': 'CN',
};

/** Languages whose country names are recognised: English first (it wins a name two languages give differently). */
const LANGUAGES = [
  'en',
  'de',
  'fr',
  'es',
  'it',
  'pt',
  'nl',
  'sv',
  'da',
  'nb',
  'fi',
  'pl',
  'cs',
  'tr',
  'ru',
  'ja',
  'zh',
  'ko',
  'ar',
];

/** Lookup key: accents folded, lower case, dots and apostrophes dropped, "&" as "and", a leading "the" dropped. */
function key(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[.'’`]/g, '')
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/^the /, '');
}

interface CountryIndex {
  alpha2: Set<string>;
  alpha3: Map<string, string>;
  names: Map<string, string>;
}

let index: CountryIndex | undefined;

/** Built on the first call (some 5 000 CLDR look-ups, a few milliseconds), then kept. */
function countryIndex(): CountryIndex {
  if (index !== undefined) return index;
  const alpha2 = new Set<string>();
  const alpha3 = new Map<string, string>();
  for (const pair of ISO_CODES.split(' ')) {
    alpha2.add(pair.slice(0, 2));
    alpha3.set(pair.slice(2), pair.slice(0, 2));
  }
  const names = new Map<string, string>(Object.entries(ALIASES));
  for (const language of LANGUAGES)
    for (const style of ['long', 'short'] as const) {
      const display = new Intl.DisplayNames([language], { type: 'region', style, fallback: 'none' });
      for (const code of alpha2) {
        const name = display.of(code);
        if (name === undefined) continue;
        const k = key(name);
        if (k !== '' && !names.has(k)) names.set(k, code);
      }
    }
  index = { alpha2, alpha3, names };
  return index;
}

/** The ISO 3166-1 alpha-2 code of a country given by code or name; undefined when it names no country. */
export function countryCode(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const k = key(value);
  if (k === '') return undefined;
  const { alpha2, alpha3, names } = countryIndex();
  const upper = k.toUpperCase();
  if (upper.length === 2 && alpha2.has(upper)) return upper;
  if (upper.length === 3 && alpha3.has(upper)) return alpha3.get(upper);
  return names.get(k);
}

/** Every ISO 3166-1 alpha-2 code, in order (for tests and for callers that validate a code as it is). */
export function isoCountryCodes(): string[] {
  return [...countryIndex().alpha2];
}
