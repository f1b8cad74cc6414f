import { hostname } from 'node:os'

/** This hub process among those sharing one Redis, in logs and in the ledger's list of pull runs. */
export const INSTANCE_ID = `${hostname()}:${process.pid}`
