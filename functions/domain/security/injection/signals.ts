/**
 * The structural detectors of the injection detector: each finds one general pattern of an instruction aimed at
 * the model rather than at the human reader, and names it with a stable reason code. They are features of the
 * learned model (which weighs them in context), not verdicts: "ignore the previous instructions" is an attack in a
 * user message and a quotation in a security article.
 */
import {
  DIRECTIVE_NOUNS,
  DISCLOSE_VERBS,
  OVERRIDE_VERBS,
  PRIOR_REFERENCES,
  SECRET_NOUNS,
  SENSITIVE_NOUNS,
  TRANSFER_VERBS,
} from './lexicon.js';

const alt = (set: ReadonlySet<string>): string =>
  [...set]
    .sort((a, b) => b.length - a.length)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'))
    .join('|');

/** `a`, then at most `gap` other words, then `b` (all on lower-case text). */
const near = (a: string, b: string, gap: number): RegExp =>
  new RegExp(`\\b(?:${a})\\b(?:\\W+[\\w'’]+){0,${gap}}?\\W+(?:${b})\\b`);

const OVERRIDE = alt(OVERRIDE_VERBS);
const DIRECTIVE = alt(DIRECTIVE_NOUNS);
const PRIOR = alt(PRIOR_REFERENCES);

/** A detector: a reason code and what finds it in a unit's lower-case text. */
interface Detector {
  code: string;
  test: (lower: string) => boolean;
}

const re = (code: string, ...patterns: RegExp[]): Detector => ({
  code,
  test: (lower) => patterns.some((p) => p.test(lower)),
});
const both = (code: string, a: RegExp, b: RegExp): Detector => ({
  code,
  test: (lower) => a.test(lower) && b.test(lower),
});

const OVERRIDE_DIRECTIVE = near(OVERRIDE, DIRECTIVE, 5);
const OVERRIDE_PRIOR = near(OVERRIDE, PRIOR, 3);
const DESTINATION =
  /https?:\/\/|\bwww\.|(?<![\w.+-])[\w.+-]+@[\w-]+\.[a-z]{2,}|\b[\w-]+\.(?:com|net|org|io|xyz|ru|info|biz|co|me|app|dev|site|online|top|cc)\b|\bwebhook\b|\bendpoint\b|\bexternal (?:address|server|site)\b/;
const TRANSFER_SENSITIVE = near(alt(TRANSFER_VERBS), alt(SENSITIVE_NOUNS), 6);
const REVEAL_NEAR = near(alt(DISCLOSE_VERBS), alt(SECRET_NOUNS), 5);
const REVEAL_OBJECT =
  /\b(?:your|the|my|this|that|its|system|hidden|secret|initial|original|above|previous|first|entire|full|exact|current|access)\s+(?:\w+\s+)?(?:password|passwords|passphrase|passcode|secret|secrets|key|token|credentials?|pin|codeword|prompt|instructions?|rules|configuration|code)\b/;
const CODE_TARGET =
  /\b(?:your|the|my)\s+(?:\w+\s+)?(?:code|codebase|solution|answer|response|implementation|project|script|program|algorithm|app|application|reply|logic|system|elucidation|function)\b/;

/** Detectors on one unit of text: sentences, table rows, code blocks. */
const UNIT_DETECTORS: readonly Detector[] = [
  // Dropping what the model was told before is the core move of a direct injection.
  { code: 'override_prior', test: (l) => OVERRIDE_DIRECTIVE.test(l) && OVERRIDE_PRIOR.test(l) },
  re('override_directive', OVERRIDE_DIRECTIVE),
  re(
    'override_all',
    /\b(?:forget|ignore|disregard|erase)\s+(?:about\s+)?(?:everything|all|anything)\b(?:\W+[\w'’]+){0,4}?\W*(?:above|before|previous|prior|earlier|so far|you (?:were|have been) (?:told|given)|you know|you learned)\b/,
    /\b(?:stop|no longer|don'?t|do not|never again)\s+(?:follow|obey|adhere to|listen to|comply with)(?:ing)?\s+(?:the|your|any|those|these|its)\b/,
  ),
  // A replacement for the model's task: "new instructions", "your real task is".
  re(
    'new_instructions',
    /\b(?:new|updated|real|actual|true|revised|changed|secret|hidden|additional|override|priority|admin|emergency|following)\s+(?:instructions?|directives?|orders?|objectives?|missions?|system prompt|commands?)\b/,
    /\byour\s+(?:new|real|true|actual|only|sole|primary|main|next)\s+(?:task|job|goal|purpose|instructions?|role|objective|mission|function|directive)\b/,
    /\b(?:instructions|situation|rules|guidelines|language|policy)\s+(?:have|has)\s+(?:now\s+)?(?:changed|been (?:updated|changed|revised))\b/,
  ),
  // Asking a guarded model for what it keeps: its prompt, its instructions, a password.
  both('reveal_secret', REVEAL_NEAR, REVEAL_OBJECT),
  re(
    'ask_secret',
    /\bwhat\s+(?:is|was|are|were|'s)\s+(?:the|your)\s+(?:\w+\s+)?(?:password|passcode|passphrase|secret|access code|instructions|prompt|rules|code ?word|pin|secret key|api key)\b/,
    /\b(?:access|secret|pass)[ -]?(?:code|word|phrase)\b/,
  ),
  // Pointing at the text the model was given before this one.
  re(
    'above_reference',
    /\b(?:text|words|everything|anything|instructions?|content|messages?|conversation|prompt|lines?|sentences?|paragraphs?)\s+(?:above|before this|so far|preceding|prior to this|until now|up to (?:this|now|here))\b/,
    /\b(?:above|preceding|previous|prior|earlier|initial|original|hidden|system|pre)[- ]?(?:text|instructions?|prompt|prompts|conversation|context)\b/,
    /\bthe (?:first|last) (?:\d+|few|two|three|five|ten|hundred) (?:words|lines|sentences|characters|letters|paragraphs) of\b/,
  ),
  // Dictating the model's exact words.
  re(
    'forced_output',
    /\b(?:say|print|output|respond with|reply with|answer with|type|display|repeat after me|start with|begin with|end with|conclude with|prefix|preface|precede)\s+(?:(?:only|just|exactly|the (?:words?|phrase|text|sentence)|this|with|:)\s*){0,2}(?:["“[]|'(?=\w))/,
    /\b(?:begin|start|prefix|preface|precede|end|finish|conclude|open)\w*\s+(?:your|the|every|each)\s+(?:\w+\s+)?(?:reply|response|answer|output|message|sentence)s?\s+(?:with|by)\b/,
    /\b(?:only|solely|exactly)\s+(?:say|respond with|reply with|answer with|print|output|write|type|return)\b/,
    /\b(?:say|print|output|write|type|respond with|reply with)\s+(?:only|nothing but|nothing else)\b/,
    /\b(?:do not|don'?t|never|must not|mustn'?t|stop)\s+(?:say|respond|reply|write|print|output)(?:ing)?\b/,
    /\byou (?:must|will|should|shall|have to|need to|are to) (?:now )?(?:say|respond|reply|answer|print|output)\b/,
  ),
  // The words a hijacker wants the model to utter to prove control.
  re('target_phrase', /\baccess[\s_\-\][."'“”]*gr?ant/, /\bpwn(?:ed|d)?\b/, /\bi have been (?:hacked|hijacked)\b/),
  // Giving the model another identity.
  re(
    'persona_switch',
    /\byou are now\b|\bfrom now on\b|\bact as (?:an?|if|though|my)\b|\bact like\b|\bpretend (?:to be|you are|you're|that you)\b/,
    /\brole[- ]?play\b|\bplay the (?:role|part) of\b|\bsimulate (?:being|an?|the)\b|\bimmerse yourself\b|\bstay in character\b/,
    /\bnew (?:persona|personality|identity)\b|\byou will (?:now )?(?:act|behave|respond|answer) as\b|\b(?:imagine|suppose) (?:that )?you(?: are|'re)\b/,
    /\byou are (?:going to|about to) (?:act|pretend|play|be|become|immerse)\b|\bswitch(?:ed)? (?:to|into) [\w-]+ mode\b/,
  ),
  // Releasing the model from its rules.
  re(
    'unrestricted',
    /\b(?:no|without|free of|free from|freed from|not bound by|broken free of|unbound by|regardless of)\s+(?:any\s+|all\s+|the\s+|its\s+|your\s+)?(?:restrictions?|limits?|limitations?|filters?|filtering|rules|guidelines|censorship|ethics|morals?|policies|constraints|boundaries|safeguards)\b/,
    /\bdo anything now\b|\bdan\b|\bdeveloper mode\b|\bjailbr(?:eak|oken|eaking)\b|\bgod mode\b|\bcontent polic(?:y|ies)\b/,
    /\b(?:unfiltered|uncensored|unrestricted)\b|\bopenai\b|\bnever refuse\b|\bcan(?:not|'t) refuse\b|\bwithout (?:any )?(?:warnings?|disclaimers?)\b/,
  ),
  // A fake speaker turn or a chat-template token: text posing as the system or the assistant.
  re(
    'role_marker',
    /(?:^|\n)[ \t]*[[(<{#*]*[ \t]*(?:system|assistant|developer|admin|administrator|root|operator|sys|instructions?)[ \t]*[\]:>)}]/,
    /<\|[a-z_]+\|>|\[\/?inst\]|<<\/?sys>>|<\/?(?:system|user|assistant|instructions?|admin|prompt|context|im_start|im_end)>|\{\{\s*system|\[(?:system|admin|developer|instructions?)\b/,
  ),
  // A marker that claims the data has ended and orders begin.
  re(
    'delimiter',
    /\b(?:end|begin|start|stop|close|beginning)\s+(?:of\s+)?(?:the\s+)?(?:user|input|document|text|context|data|email|prompt|instructions?|system|conversation|message|content|out of date instructions|transcript|file|quote)\b/,
    /(?:^|\n)[ \t]*(?:%{3,}|={3,}|#{3,}|\*{3,}|-{3,}[ \t]*\w|>{3,}|<{3,})/,
  ),
  // Speaking to the model by name.
  re(
    'addresses_model',
    /\b(?:dear|hey|hi|hello|attention|note to|note for|message to|message for|instructions? (?:to|for)|reminder (?:to|for)|important (?:for|to)|to the|for the|if you are an?|you are an?|as an?)\s+(?:an?\s+|the\s+|any\s+)?(?:ai|assistant|language model|llm|chatbot|bot|gpt|chatgpt|claude|gemini|copilot|ai model|ai assistant|ai agent|agent|model)s?\b/,
    /(?:^|\n)[ \t]*(?:ai|assistant|model|agent|claude|gpt|chatgpt|bot|llm)[ \t]*[,:]/,
  ),
  // The text speaks about its own reader's processing ("when you summarise this…"): it is addressed to the model.
  re(
    'processing_clause',
    /\b(?:when|while|before|after|if|as|once) (?:you|the (?:assistant|model|ai|agent|bot)|any (?:ai|model|assistant))(?: are| is)? (?:summari[sz]|process|pars|index|ingest|analy[sz])\w*\b/,
    /\b(?:answer|respond|reply|talk|speak|write)(?:ing|s)?(?: back)?(?: to)? the user\b/,
  ),
  // An order about the model's own output ("in your reply", "your response must").
  re(
    'your_output',
    /\byour\s+(?:\w+\s+)?(?:reply|replies|response|responses|answer|answers|output|summary|completion|next message|translation|explanation)\b/,
    /\b(?:in|to|into|within|throughout)\s+(?:the|your|each|every)\s+(?:reply|response|answer|output|summary)\b/,
    /\b(?:respond|reply|answer)\s+(?:only\s+)?(?:in|with|using)\b/,
  ),
  // Data the reader can reach, sent to a place the text names.
  both('exfiltration', TRANSFER_SENSITIVE, DESTINATION),
  re('transfer_data', TRANSFER_SENSITIVE),
  re('destination', DESTINATION),
  // Acting through tools or on records, which an instruction in data must never trigger.
  re(
    'tool_request',
    /\b(?:call|invoke|use|run|execute|trigger)\s+(?:the\s+)?(?:[a-z]+_[a-z_]+|\w+\s+(?:tool|skill|plugin))\b(?!\s*\()/,
  ),
  re(
    'destructive_request',
    /\b(?:delete|remove|wipe|erase|purge|drop|destroy)\s+(?:all|every|the|any|each)\s+(?:\w+\s+){0,2}(?:records?|accounts?|contacts?|entities|entries|files|data|users|customers|emails|messages|tables?|database|backups?)\b/,
  ),
  re(
    'approval_request',
    /\b(?:approve|authori[sz]e|release|grant|whitelist)\s+(?:all|every|the|this|any|each)\s+(?:\w+\s+){0,2}(?:outputs?|requests?|payments?|transfers?|transactions?|refunds?|access|permissions?|actions?|changes?)\b/,
    /\b(?:change|update|set|reset)\s+(?:the\s+|their\s+|his\s+|her\s+)?(?:\w+\s+)?(?:password|email address|owner|role|permissions?|bank (?:account|details))\s+(?:to|of)\b/,
  ),
  {
    code: 'code_introducer',
    test: (l) =>
      /\b(?:integrate|incorporate|add|include|insert|append|embed|use|utili[sz]e|employ|paste|run|execute|apply|merge|put|place|fuse|blend|meld|weave|infuse|inject|adopt|deploy|introduce|leverage|absorb|engage|enlist|render|implement|copy|interweave|harmoni[sz]e|assimilate|combine|plug)\b(?:\W+[\w'’]+){0,8}?\W+(?:code|snippet|block|script|excerpt|section|lines|commands?|patch|program)\b/.test(
        l,
      ) && CODE_TARGET.test(l),
  },
  // Reshaping the output (ciphers, encodings, scrambled words): a hidden channel or sabotage of the answer.
  re(
    'output_transform',
    /\b(?:encode|encrypt|write|respond|reply|answer|output|convert|render|rewrite|format|provide|give)\b(?:\W+[\w'’]+){0,6}?\W+(?:base64|base-64|rot13|rot-13|hexadecimal|binary|morse|caesar|cipher|emojis?|pig latin|leetspeak|backwards|reversed?|anagrams?|all caps|capital letters)\b/,
    /\b(?:reverse|scramble|jumble|shuffle|misspell|anagram|replace|substitute|swap|remove|omit|capitali[sz]e|uppercase|group)\b(?:\W+[\w'’]+){0,5}?\W+(?:words?|letters?|vowels?|consonants?|characters?|spaces|punctuation)\b/,
  ),
  re(
    'decode_and_follow',
    /\b(?:decode|decrypt|decipher|translate|unscramble|reverse|read)\b(?:\W+[\w'’]+){0,6}?\W+(?:and|then)\s+(?:follow|execute|do|obey|run|carry out|perform|act on|comply)\b/,
  ),
  re('urgency', /\b(?:important|urgent|attention|warning|critical|immediately|asap|mandatory)\b|!{3,}/),
];

// Code that acts against the machine or the user, grouped by what it does. A benign answer calls subprocess or
// requests too; what marks an injected snippet is the effect: running fetched code, destroying, exfiltrating,
// watching, persisting, disabling protection, encrypting files, flooding, mining.
const CODE_EXEC =
  /\b(?:os\.system|os\.popen|subprocess\.(?:call|run|popen|check_output|check_call)|child_process|execsync|shell_exec|invoke-expression|powershell\s+-(?:enc|e|command)\b|(?:ba)?sh\s+-c)|\bexec\s*\(|\beval\s*\(|\biex\b/;
const CODE_FETCH =
  /\b(?:requests\.(?:get|post|put)|urllib|urlopen|urlretrieve|wget|curl|http\.client|httpx|aiohttp|xmlhttprequest|axios|invoke-webrequest|net\.webclient|downloadstring|downloadfile)\b|\bfetch\(/;
const CODE_SOURCE =
  /os\.environ|getenv|\.ssh\b|id_rsa|\/etc\/(?:passwd|shadow)|cookie|localstorage|psutil|platform\.(?:uname|node)|gethostname|getpass|uuid\.getnode|keychain|wallet|\.aws\/credentials|contacts\.csv|clipboard|pyperclip|browser_cookie|net_if_addrs|query_devices|usb\.core|driverquery|history\.db|login data/;
const CODE_SINK =
  /requests\.(?:post|put)|\.post\(|sendall|\.sendto\(|\.send\(|smtplib|smtp_ssl|ftplib|storbinary|paramiko|\bscp\b|sendbeacon|socket\.connect|\.connect\(\(|mqtt|publish\.single|upload|curl\s+-[fdxt]/;
const CODE_DESTRUCTIVE =
  /\brm\s+-[rf]{1,2}\b|shutil\.rmtree|os\.(?:remove|unlink|rmdir)\s*\(\s*["'][/~]|\bdel\s+\/[fsq]|format\s+c:|\bmkfs\b|\bdd\s+if=|:\(\)\s*\{|drop\s+(?:table|database)|truncate\s+table|\bshred\b|wipefs|\/dev\/sd[a-z]|\/lib\/x86|libc\.so|systemctl\s+(?:stop|disable|mask)|\bshutdown\b|\breboot\b|kill\s+-9\s+-?1\b|taskkill|os\.kill/;
const CODE_SURVEIL =
  /pynput|keyboard\.(?:on_press|hook|read_key|record)|getasynckeystate|setwindowshookex|imagegrab|pyautogui\.screenshot|\bmss\b|screencapture|videocapture|sounddevice|pyaudio|\.rec\(|pyperclip\.paste|scapy|sniff\(|pcap|tcpdump|keylog/;
const CODE_PERSIST =
  /crontab|rc\.local|init\.d|\/etc\/profile|\.bashrc|autostart|currentversion\\+run|schtasks|launchagents|authorized_keys|sudoers|chmod\s+(?:777|\+s|u\+s|-r\s+777)|setuid/;
const CODE_DISABLE =
  /iptables|netsh\s+(?:advfirewall|interface)|ufw\s+disable|setenforce\s+0|set-mppreference|disablerealtimemonitoring|\/etc\/hosts|firewall|defender|antivirus/;
const CODE_ENCRYPT = /fernet|aes\.new|pyaes|\.encrypt\(|ransom|\.locked\b|\.encrypted\b/;
const CODE_WALK = /os\.walk|glob\.|listdir|scandir|rglob|iterdir/;
const CODE_LOOP =
  /while\s+true|while\s*\(\s*(?:true|1)\s*\)|for\s+\w+\s+in\s+range\(\s*\d{4,}|itertools\.count|\bfork\(\)|hping|slowloris|\bflood\b|ddos/;
const CODE_MINER = /\bminer\b|xmrig|stratum\+tcp|cryptonight|monero|cryptomine|coinhive/;
const CODE_REMOTE = /https?:\/\/|ftp:\/\/|\b\d{1,3}(?:\.\d{1,3}){3}\b/;

/** The reason codes of code units (and of commands quoted in prose). */
function codeSignals(lower: string, out: string[]): void {
  const exec = CODE_EXEC.test(lower);
  const fetch = CODE_FETCH.test(lower);
  const remote = CODE_REMOTE.test(lower);
  if (exec) out.push('code_exec');
  if (
    (exec && fetch) ||
    /(?:curl|wget)[^\n|]*\|\s*(?:sudo\s+)?(?:ba|z)?sh\b/.test(lower) ||
    /chmod\s+\+x/.test(lower)
  ) {
    out.push('code_download_exec');
  }
  const sink = CODE_SINK.test(lower);
  if (CODE_SOURCE.test(lower) && sink) out.push('code_exfil');
  else if (sink && remote) out.push('code_upload');
  if (CODE_DESTRUCTIVE.test(lower)) out.push('code_destructive');
  if (CODE_SURVEIL.test(lower)) out.push('code_surveil');
  if (CODE_PERSIST.test(lower)) out.push('code_persist');
  if (CODE_DISABLE.test(lower)) out.push('code_disable_security');
  if (CODE_ENCRYPT.test(lower) && CODE_WALK.test(lower)) out.push('code_encrypt_files');
  if (CODE_LOOP.test(lower) && (fetch || sink || /fork|thread|process/.test(lower))) out.push('code_flood');
  if (CODE_MINER.test(lower)) out.push('code_miner');
}

/**
 * Which detectors can fire anywhere in a text: each runs once over the whole text, and a unit then runs only the
 * detectors that matched there (most texts match few, and a regex call per unit costs more than the scan).
 */
export interface DetectorScreen {
  unit: boolean[];
  code: boolean;
}

const ANY_CODE = [
  CODE_EXEC,
  CODE_FETCH,
  CODE_SINK,
  CODE_DESTRUCTIVE,
  CODE_SURVEIL,
  CODE_PERSIST,
  CODE_DISABLE,
  CODE_ENCRYPT,
  CODE_MINER,
];

/** The screen of a whole text (lower case). */
export function screenDetectors(lower: string): DetectorScreen {
  return {
    unit: UNIT_DETECTORS.map((d) => d.test(lower)),
    code: ANY_CODE.some((r) => r.test(lower)) || /(?:curl|wget)[^\n|]*\|/.test(lower) || /chmod\s+\+x/.test(lower),
  };
}

/** The reason codes one unit fires, in a fixed order. `lower` is the unit's normalised, lower-case text. */
export function unitSignals(lower: string, screen: DetectorScreen): string[] {
  const out: string[] = [];
  for (let i = 0; i < UNIT_DETECTORS.length; i++)
    if (screen.unit[i] && UNIT_DETECTORS[i]!.test(lower)) out.push(UNIT_DETECTORS[i]!.code);
  if (screen.code) codeSignals(lower, out);
  return out;
}

/** The code detectors' reason codes, which a pair feature joins with a preceding code introducer. */
export const CODE_DANGER = new Set([
  'code_exec',
  'code_download_exec',
  'code_exfil',
  'code_upload',
  'code_destructive',
  'code_surveil',
  'code_persist',
  'code_disable_security',
  'code_encrypt_files',
  'code_flood',
  'code_miner',
]);
