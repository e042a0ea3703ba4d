/** Token put before the first command of a session. */
export const START_TOKEN = "##START##";
/** Token put after the last command of a session. */
export const END_TOKEN = "##END##";
/** Token every unseen key falls back to. */
export const UNK_TOKEN = "##UNK##";
