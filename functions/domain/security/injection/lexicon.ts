/**
 * Word lists of the injection detector. Each list names a role words play in an instruction (a verb that starts an
 * order, a noun for the model's own output, a noun for what the model was told before), never phrases of a dataset:
 * the learned weights decide how much each role counts in which context.
 */

const words = (list: string): ReadonlySet<string> => new Set(list.trim().split(/\s+/));

/**
 * Verbs that open an imperative sentence addressed to whoever reads the text ("Describe…", "Add…", "Ignore…").
 * Broad on purpose: an instruction hidden in a document is usually an ordinary request, and what makes it an
 * injection is where it sits, which the context features say.
 */
export const IMPERATIVE_VERBS = words(`
  abandon absorb accept access act activate add adjust adopt alter always analyse analyze answer append apply
  approve arrange ask assess assign assist assume attach augment avoid begin blend block book break brainstorm
  bring build calculate call cancel change check choose cite clarify classify clean clear click close collect
  combine come compare compile complete compose compute concatenate confirm connect consider continue contrast
  convert copy correct count craft create critique cut debug decide decode decrypt define delete deliver demonstrate
  deploy describe design detail determine develop devise disable discard disclose discuss dismiss display disregard
  distribute divulge do document download draft draw drop dump echo edit elaborate email embed emphasize emphasise
  employ enable encode encrypt end engage enhance enlist ensure enter enumerate erase estimate evaluate examine
  execute expand explain explore export expose express extract fetch fill find finish fix follow forget format
  forward frame fuse gather generate get give go grant greet group guess guide help highlight hint identify
  ignore illustrate imagine implement import improve include incorporate increase indicate infuse inject input
  insert install instead integrate interpret introduce invent invite invoke join jumble just keep label launch
  leak learn leave let leverage link list load locate log look make map mark meld mention merge misspell modify
  move name navigate note notify obey offer omit open optimise optimize order organise organize outline output
  override overwrite paraphrase parse paste pay perform pick place plan play point post praise predict prefix
  prepare present pretend prevent print proceed produce promote pronounce proofread propose provide publish pull
  push put quote raise rank rate read rearrange recall recommend record redirect reduce refactor reformat refuse
  remember remind remove rename render reorder rephrase replace reply report repeat request research reset resolve
  respond restate restore restructure resume retrieve return reveal reverse review revise rewrite roleplay rotate
  run save say scan schedule scramble search select sell send separate set share shift shorten show sign simplify
  simulate skip solve sort speak specify spell split start state stop store stress stretch submit substitute
  suggest summarise summarize supply support swap switch take talk teach tease tell test thank think tidy trace
  track transfer transform translate transmit treat try turn type uncover underline unlock update upload use
  utilise utilize validate verify visit vote wait warn weave withdraw word wrap write
`);

/** Openers that make the next verb an instruction ("Please describe", "You must now say", "Be sure to add"). */
export const INSTRUCTION_OPENERS = words(`
  please kindly now also then and just simply instead first next finally additionally furthermore immediately
  remember must should need needs to always never do don't dont make sure be
`);

/** Nouns for what the model itself produces: an instruction about them is addressed to the model. */
export const OUTPUT_NOUNS = words(`
  reply replies response responses answer answers output outputs message completion completions summary
  summaries result results reaction rewrite translation explanation
`);

/** Names a text uses for the model that reads it. */
export const MODEL_NOUNS = words(`
  ai assistant assistants chatbot bot llm llms gpt chatgpt claude gemini copilot model models agent agents
`);

/** Verbs that drop what came before ("ignore", "disregard", "forget", "override"). */
export const OVERRIDE_VERBS = words(`
  ignore ignoring disregard disregarding forget forgetting override overriding overwrite bypass bypassing skip
  abandon discard neglect dismiss cancel nullify void ditch drop erase reset scrap suspend supersede revoke
`);

/** What a model was told before a text: instructions, rules, its prompt, its guidelines. */
export const DIRECTIVE_NOUNS = words(`
  instruction instructions rule rules direction directions directive directives guideline guidelines prompt
  prompts command commands order orders constraint constraints restriction restrictions programming policy
  policies context training guardrail guardrails filter filters limitation limitations task tasks setting settings
  message messages
`);

/** Words that point back at text the reader was given earlier. */
export const PRIOR_REFERENCES = words(`
  previous prior above earlier preceding initial original old former existing current default system developer
  all any every foregoing aforementioned before everything
`);

/** Verbs that make a model emit something verbatim or disclose it. */
export const DISCLOSE_VERBS = words(`
  reveal print show repeat output tell say write display list leak give share spell dump echo recite disclose
  expose divulge paste copy return provide type state quote translate summarise summarize rewrite convert encode
  explain describe read
`);

/** What a guarded model keeps to itself: its prompt, its instructions, secrets and credentials. */
export const SECRET_NOUNS = words(`
  password passwords passphrase passcode passcodes secret secrets key keys token tokens credential credentials pin
  pins codeword prompt instructions instruction rules configuration
`);

/** Verbs that move data somewhere. */
export const TRANSFER_VERBS = words(`
  send forward email e-mail mail post upload transmit share copy export leak submit deliver cc bcc relay sync
  dump exfiltrate paste push publish attach
`);

/** What a reader of a mailbox, a CRM or a conversation can reach and should not hand to strangers. */
export const SENSITIVE_NOUNS = words(`
  data record records contact contacts conversation conversations history emails messages inbox file files
  credential credentials password passwords key keys token tokens customer customers account accounts list lists
  database information details document documents attachment attachments note notes everything chat chats log
  logs profile profiles address addresses phone numbers card cards ssn transcript transcripts
`);

/** Short function words left out when a passage's vocabulary is compared with the rest of its document. */
export const STOPWORDS = words(`
  a about above after again against all also am an and any are as at be because been before being below between
  both but by can could did do does doing down during each few for from further had has have having he her here
  hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off
  on once only or other our ours ourselves out over own same she should so some such than that the their theirs
  them themselves then there these they this those through to too under until up very was we were what when where
  which while who whom why will with would you your yours yourself yourselves please thanks thank hi hello dear
  regards best one two get got make made use used using like well also may might must shall let us
`);

/** The words an attack spells with digits ("1gn0re", "p4ssw0rd"); see normalise.ts. */
export const DISGUISED_WORDS = words(`
  ignore ignored instructions instruction previous password passwords passcode prompt system secret secrets reveal
  bypass override jailbreak jailbroken admin administrator access granted hack hacked pwned disregard forget rules
  restrictions unfiltered uncensored developer mode sudo root unlock execute delete confidential
`);
